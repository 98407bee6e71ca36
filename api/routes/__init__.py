"""One router per resource: evaluations, questions, health."""
