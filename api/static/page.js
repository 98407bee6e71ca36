// The practice page: a small client of the public REST API (/v1/questions, /v1/evaluations).
// No framework and no external asset; the history and the API key live in this browser only.
"use strict";

const KEY_STORE = "evaluator.apiKey";
const HISTORY_STORE = "evaluator.history.v1";
const HISTORY_LIMIT = 500;

const VERDICTS = {
  covered: { word: "Covered", icon: "✓" },
  partial: { word: "Partly covered", icon: "◐" },
  missed: { word: "Missed", icon: "○" },
  contradicted: { word: "Contradicted", icon: "✗" },
};
// When two points share words of the answer, the mark shows the most telling verdict.
const MARK_PRIORITY = ["contradicted", "covered", "partial"];

const $ = (id) => document.getElementById(id);

const state = {
  questions: [],       // summaries from GET /v1/questions
  current: null,       // the summary of the chosen question
  attempt: null,       // the latest scored attempt: {answer, result, at}
  earlier: [],         // earlier attempts at the current question, oldest first
  references: new Map(),
  maxChars: null,      // the server's answer limit, from GET /readyz
};

// ---------------------------------------------------------------- small helpers

/** An element with attributes (class, data-*, aria-*, ...) and children (nodes or text). */
function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "class") element.className = value;
    else if (name === "text") element.textContent = value;
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) element.append(child);
  }
  return element;
}

/** Replaces the children of an element (arrays of nodes are flattened, text becomes text nodes). */
function fill(element, ...children) {
  element.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined));
}

const percent = (score) => `${Math.round(score * 100)}%`;

const store = {
  get(name, fallback) {
    try {
      const raw = localStorage.getItem(name);
      return raw === null ? fallback : JSON.parse(raw);
    } catch {
      return fallback;
    }
  },
  set(name, value) {
    try {
      if (value === null) localStorage.removeItem(name);
      else localStorage.setItem(name, JSON.stringify(value));
    } catch {
      showStatus("This browser does not let the page store anything: the history will not be kept.");
    }
  },
};

function showStatus(text) {
  $("status").textContent = text;
}

/** Shows (or, with no text, hides) a message in an error box: the page's, or the answer's. */
function showError(text, box = "error") {
  $(box).textContent = text;
  $(box).hidden = !text;
}

// ---------------------------------------------------------------- the API

class ApiProblem extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** Calls the API; resolves to its JSON, or rejects with the API's own error message. */
async function api(path, { method = "GET", body } = {}) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const key = store.get(KEY_STORE, "");
  if (key) headers["X-API-Key"] = key;
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiProblem(0, "unreachable", "the server cannot be reached: is `evaluator serve` still running?");
  }
  let payload = null;
  try {
    payload = await response.json();
  } catch {
    payload = null;
  }
  if (!response.ok) {
    const error = payload && payload.error;
    throw new ApiProblem(
      response.status,
      (error && error.code) || "http_error",
      (error && error.message) || `the server answered ${response.status} ${response.statusText}`.trim(),
    );
  }
  return payload;
}

/** Shows an API problem in words; a missing or wrong key opens the key form. */
function reportProblem(what, problem, box = "error") {
  const message = problem instanceof ApiProblem ? problem.message : String(problem);
  showError(`${what}: ${message}.`.replace(/\.\.$/, "."), box);
  showStatus("");
  if (problem instanceof ApiProblem && problem.status === 401) {
    $("key-panel").open = true;
    $("api-key").focus();
  }
}

// ---------------------------------------------------------------- choosing a question

async function loadQuestions() {
  showStatus("Loading the questions…");
  try {
    state.questions = (await api("/v1/questions")).questions;
  } catch (problem) {
    reportProblem("The questions could not be loaded", problem);
    fill($("question"), h("option", { value: "", text: "No questions yet" }));
    return;
  }
  showError("");
  showStatus(`${state.questions.length} questions ready.`);
  const wanted = new URLSearchParams(location.hash.slice(1)).get("q");  // a link like /#q=fresher-01
  const start = state.questions.find((q) => q.id === wanted);
  fillTopics();
  fillQuestions(start ? start.id : undefined);
}

function matching() {
  const level = $("level").value;
  const topic = $("topic").value;
  return state.questions.filter((q) => (!level || q.level === level) && (!topic || q.topic === topic));
}

function fillTopics() {
  const level = $("level").value;
  const chosen = $("topic").value;
  const topics = [...new Set(state.questions.filter((q) => !level || q.level === level).map((q) => q.topic))]
    .filter(Boolean)
    .sort();
  fill($("topic"),
    h("option", { value: "", text: "Any topic" }),
    topics.map((topic) => h("option", { value: topic, text: topic.replace(/-/g, " ") })),
  );
  $("topic").value = topics.includes(chosen) ? chosen : "";
}

function fillQuestions(preferredId) {
  const list = matching();
  const select = $("question");
  select.disabled = list.length === 0;
  if (list.length === 0) {
    fill(select, h("option", { value: "", text: "No question matches" }));
    return;
  }
  fill(select,
    list.map((q) => h("option", { value: q.id, text: `${q.id} · ${shorten(q.text, 80)}` })),
  );
  const keep = [preferredId, state.current && state.current.id].find((id) => list.some((q) => q.id === id));
  select.value = keep || list[0].id;
  chooseQuestion(select.value);
}

function shorten(text, length) {
  return text.length <= length ? text : `${text.slice(0, length - 1).trimEnd()}…`;
}

function chooseQuestion(id) {
  const question = state.questions.find((q) => q.id === id);
  if (!question || (state.current && state.current.id === id)) return;
  state.current = question;
  state.attempt = null;
  state.earlier = [];
  history.replaceState(null, "", `#q=${encodeURIComponent(id)}`);
  $("question-text").textContent = question.text;
  $("q-level").textContent = question.level || "any level";
  $("q-topic").textContent = (question.topic || "general").replace(/-/g, " ");
  $("q-points").textContent = `${question.key_points} key points`;
  $("answer").value = "";
  updateCount();
  $("result").hidden = true;
  hideModelAnswer();
  renderEarlier();
  showError("");
  showError("", "answer-error");
  $("answer").removeAttribute("aria-invalid");
}

/** Shows question `id`, clearing the level and topic filters if they hide it. */
function openQuestion(id) {
  if (!state.questions.some((q) => q.id === id)) {
    showError(`There is no question ${id} on this server.`);
    return false;
  }
  if (!matching().some((q) => q.id === id)) {
    $("level").value = "";
    fillTopics();
    $("topic").value = "";
  }
  fillQuestions(id);
  return true;
}

/** The question after the current one among those of the chosen level and topic (or, if it is the
 * only one, in the whole bank), wrapping around. */
function nextQuestion() {
  const current = state.current && state.current.id;
  const list = matching().length > 1 ? matching() : state.questions;
  const at = list.findIndex((q) => q.id === current);
  const next = list[(at + 1) % list.length];
  if (!next || !openQuestion(next.id)) return;
  showStatus(`Next question: ${next.id}.`);
  $("answer").focus();
}

function openFromAddress() {
  const wanted = new URLSearchParams(location.hash.slice(1)).get("q");
  if (wanted && !(state.current && state.current.id === wanted)) openQuestion(wanted);
}

function surprise() {
  const list = matching();
  if (list.length === 0) return;
  const others = list.length > 1 ? list.filter((q) => !state.current || q.id !== state.current.id) : list;
  const pick = others[Math.floor(Math.random() * others.length)];
  $("question").value = pick.id;
  chooseQuestion(pick.id);
  showStatus(`Surprise: ${pick.id}.`);
  $("answer").focus();
}

// ---------------------------------------------------------------- the model answer

function hideModelAnswer() {
  $("model-answer").hidden = true;
  $("show-model").setAttribute("aria-expanded", "false");
  $("show-model").textContent = "Show a model answer";
}

async function toggleModelAnswer() {
  if (!$("model-answer").hidden) {
    hideModelAnswer();
    return;
  }
  const question = state.current;
  if (!question) return;
  let reference = state.references.get(question.id);
  if (reference === undefined) {
    try {
      const full = await api(`/v1/questions/${encodeURIComponent(question.id)}?include_reference=true`);
      reference = full.reference_answer;
    } catch (problem) {
      reportProblem("The model answer could not be loaded", problem, "answer-error");
      return;
    }
    state.references.set(question.id, reference);
  }
  if (state.current !== question) return;
  $("model-answer-text").textContent = reference || "This question has no model answer in the bank.";
  $("model-answer").hidden = false;
  $("show-model").setAttribute("aria-expanded", "true");
  $("show-model").textContent = "Hide the model answer";
}

// ---------------------------------------------------------------- scoring

async function submitAnswer(event) {
  if (event) event.preventDefault();
  if ($("submit").disabled) return;  // Ctrl+Enter while an answer is being scored
  const question = state.current;
  if (!question) {
    showError("Choose a question first.", "answer-error");
    return;
  }
  const answer = $("answer").value;  // sent as typed: the API judges what an empty answer is
  const button = $("submit");
  button.disabled = true;
  showStatus("Scoring your answer…");
  let result;
  try {
    result = await api("/v1/evaluations", { method: "POST", body: { question_id: question.id, answer } });
  } catch (problem) {
    $("answer").setAttribute("aria-invalid", "true");
    reportProblem("Your answer could not be scored", problem, "answer-error");
    return;
  } finally {
    button.disabled = false;
  }
  $("answer").removeAttribute("aria-invalid");
  showError("", "answer-error");
  if (state.current !== question) return;
  if (state.attempt) state.earlier.push(state.attempt);
  state.attempt = { answer, result, at: new Date().toISOString() };
  record(question, result, state.attempt.at);
  renderResult();
  renderEarlier();
  renderHistory();
  showStatus(`Scored: ${percent(result.score)} coverage.`);
  $("result-heading").focus();
}

function counts(result) {
  const tally = { covered: 0, partial: 0, missed: 0, contradicted: 0 };
  for (const point of result.points) tally[point.verdict] += 1;
  return tally;
}

function describeCounts(tally) {
  return Object.keys(VERDICTS)
    .filter((verdict) => tally[verdict] > 0)
    .map((verdict) => `${tally[verdict]} ${VERDICTS[verdict].word.toLowerCase()}`)
    .join(", ");
}

function renderResult() {
  const { answer, result } = state.attempt;
  $("score-figure").textContent = percent(result.score);
  $("score-bar").style.width = percent(result.score);
  $("score-bar").className = `meter-bar ${bandClass(result.score)}`;
  $("score-summary").textContent = `Key points: ${describeCounts(counts(result))}.`;
  const before = state.earlier[state.earlier.length - 1];
  if (before) {
    const change = Math.round(result.score * 100) - Math.round(before.result.score * 100);
    const trend = change > 0 ? `up ${change} points` : change < 0 ? `down ${-change} points` : "the same";
    $("score-compare").textContent = `That is ${trend} on your previous attempt (${percent(before.result.score)}).`;
  } else {
    $("score-compare").textContent = "";
  }

  fill($("points"), result.points.map((point, index) => pointItem(point, index)));
  fill($("answer-view"), ...highlight(answer, result.points));
  linkPointsAndMarks($("points"), $("answer-view"));
  fill($("to-improve"), ...improvementLists(result));
  $("result").hidden = false;
}

function bandClass(score) {
  return score >= 0.75 ? "band-high" : score >= 0.4 ? "band-mid" : "band-low";
}

function pointItem(point, index) {
  const verdict = VERDICTS[point.verdict];
  const evidence = point.evidence
    ? h(
        "p",
        { class: "point-evidence" },
        point.verdict === "contradicted" ? "Your answer says otherwise: " : "Matched: ",
        h("q", { text: point.evidence.text }),
      )
    : h("p", { class: "point-evidence", text: "Not found in your answer." });
  return h(
    "li",
    {
      class: `point point-${point.verdict}`,
      tabindex: 0,
      "data-point": index,
      "data-verdict": point.verdict,
      "aria-label": `Point ${index + 1}, ${verdict.word}: ${point.text}`,
    },
    h("span", { class: `badge badge-${point.verdict}` }, h("span", { "aria-hidden": "true", text: verdict.icon }), ` ${verdict.word}`),
    h("p", { class: "point-text", text: point.text }),
    evidence,
    point.misconception
      ? h("p", { class: "point-evidence" }, "A common misconception: ", h("q", { text: point.misconception }))
      : null,
    point.contradiction ? h("p", { class: "point-evidence", text: `Why: ${point.contradiction}` }) : null,
    h("p", { class: "point-meta", text: `weight ${point.weight} · credit ${percent(point.score)}` }),
  );
}

/**
 * The answer as text nodes and <mark>s: each piece of text is marked with the points whose evidence
 * covers it (spans may overlap), and the numbers of those points follow the end of each span.
 */
function highlight(answer, points) {
  const spans = points
    .map((point, index) => ({ index, verdict: point.verdict, evidence: point.evidence }))
    .filter((p) => p.evidence && p.verdict !== "missed" && p.evidence.end > p.evidence.start);
  const cuts = new Set([0, answer.length]);
  for (const span of spans) {
    cuts.add(span.evidence.start);
    cuts.add(span.evidence.end);
  }
  const bounds = [...cuts].filter((c) => c >= 0 && c <= answer.length).sort((a, b) => a - b);
  const nodes = [];
  for (let i = 0; i + 1 < bounds.length; i += 1) {
    const [start, end] = [bounds[i], bounds[i + 1]];
    const text = answer.slice(start, end);
    const inside = spans.filter((s) => s.evidence.start <= start && end <= s.evidence.end);
    if (inside.length === 0) {
      nodes.push(document.createTextNode(text));
    } else {
      const verdict = MARK_PRIORITY.find((v) => inside.some((s) => s.verdict === v));
      nodes.push(h("mark", { class: `ev ev-${verdict}`, "data-points": inside.map((s) => s.index).join(" "), text }));
    }
    const ending = spans.filter((s) => s.evidence.end === end);
    if (ending.length > 0) {
      nodes.push(
        h("sup", {
          class: "ref",
          "data-points": ending.map((s) => s.index).join(" "),
          "aria-label": `evidence for point ${ending.map((s) => s.index + 1).join(" and ")}`,
          text: ending.map((s) => s.index + 1).join(","),
        }),
      );
    }
  }
  return nodes;
}

/** Hovering or focusing a point lights up its evidence; hovering evidence lights up its points. */
function linkPointsAndMarks(list, view) {
  const marksOf = (index) =>
    [...view.querySelectorAll("[data-points]")].filter((m) => m.dataset.points.split(" ").includes(String(index)));
  const light = (index, on) => {
    for (const mark of marksOf(index)) mark.classList.toggle("active", on);
    const item = list.querySelector(`[data-point="${index}"]`);
    if (item) item.classList.toggle("active", on);
  };
  for (const item of list.querySelectorAll("[data-point]")) {
    const index = item.dataset.point;
    for (const [type, on] of [["mouseenter", true], ["mouseleave", false], ["focus", true], ["blur", false]]) {
      item.addEventListener(type, () => light(index, on));
    }
  }
  for (const mark of view.querySelectorAll("mark[data-points]")) {
    for (const [type, on] of [["mouseenter", true], ["mouseleave", false]]) {
      mark.addEventListener(type, () => mark.dataset.points.split(" ").forEach((index) => light(index, on)));
    }
  }
}

function improvementLists(result) {
  const byId = new Map(result.points.map((point, index) => [point.id, { point, index }]));
  const section = (ids, title, className) => {
    if (ids.length === 0) return null;
    return h(
      "div",
      { class: className },
      h("h4", { text: title }),
      h("ul", {}, ids.map((id) => {
        const found = byId.get(id);
        if (!found) return h("li", { text: id });
        const partly = found.point.verdict === "partial" ? " (partly covered: say it in full)" : "";
        return h("li", { "data-point": found.index, text: `${found.index + 1}. ${found.point.text}${partly}` });
      })),
    );
  };
  // Missed and partly covered points, in rubric order: both are what a stronger answer would add.
  const missed = new Set(result.missed);
  const toAdd = result.points.filter((p) => missed.has(p.id) || p.verdict === "partial").map((p) => p.id);
  const nodes = [
    section(toAdd, "What a stronger answer would add", "improve improve-missed"),
    section(result.contradicted, "Where your answer contradicts the rubric", "improve improve-contradicted"),
  ].filter(Boolean);
  if (nodes.length === 0) {
    nodes.push(h("p", { class: "improve-none", text: "No key point missed, partly covered or contradicted." }));
  }
  return nodes;
}

function tryAgain() {
  if (!state.attempt) return;
  state.earlier.push(state.attempt);
  state.attempt = null;
  $("result").hidden = true;
  renderEarlier();
  const last = state.earlier[state.earlier.length - 1];
  showStatus(`Your attempt at ${percent(last.result.score)} is kept below; improve your answer and submit it again.`);
  const box = $("answer");
  box.focus();
  box.setSelectionRange(box.value.length, box.value.length);
}

function renderEarlier() {
  const list = $("previous-list");
  fill(list,
    state.earlier
      .map((attempt, number) => {
        const tally = counts(attempt.result);
        const view = h("div", { class: "answer-view" }, highlight(attempt.answer, attempt.result.points));
        const verdicts = h(
          "ul",
          { class: "mini-points" },
          attempt.result.points.map((point, index) =>
            h(
              "li",
              { "data-point": index },
              h("span", { class: `badge badge-${point.verdict}` }, h("span", { "aria-hidden": "true", text: VERDICTS[point.verdict].icon }), ` ${VERDICTS[point.verdict].word}`),
              ` ${index + 1}. ${point.text}`,
            ),
          ),
        );
        linkPointsAndMarks(verdicts, view);
        return h(
          "li",
          { class: "previous" },
          h(
            "details",
            { open: number === state.earlier.length - 1 },
            h("summary", {}, h("strong", { text: `Attempt ${number + 1}: ${percent(attempt.result.score)}` }), ` · ${describeCounts(tally)}`),
            h("div", { class: "previous-body" }, view, verdicts),
          ),
        );
      })
      .reverse(),
  );
  $("previous").hidden = state.earlier.length === 0;
}

// ---------------------------------------------------------------- the local history

function record(question, result, at) {
  const entries = store.get(HISTORY_STORE, []);
  entries.push({ id: question.id, text: question.text, score: result.score, at, ...counts(result) });
  store.set(HISTORY_STORE, entries.slice(-HISTORY_LIMIT));
}

function renderHistory() {
  const entries = store.get(HISTORY_STORE, []);
  const box = $("history");
  $("clear-history").hidden = entries.length === 0;
  if (entries.length === 0) {
    fill(box, h("p", { class: "muted", text: "No attempt yet: your scores will appear here." }));
    return;
  }
  const byQuestion = new Map();
  for (const entry of entries) {
    if (!byQuestion.has(entry.id)) byQuestion.set(entry.id, []);
    byQuestion.get(entry.id).push(entry);
  }
  const rows = [...byQuestion.entries()].sort(
    ([, a], [, b]) => b[b.length - 1].at.localeCompare(a[a.length - 1].at),
  );
  fill(box,
    h(
      "table",
      { class: "history" },
      h("caption", { class: "visually-hidden", text: "Your score per question over time" }),
      h(
        "thead",
        {},
        h("tr", {}, ["Question", "Attempts", "Scores over time", "Best", "Last tried"].map((t) => h("th", { scope: "col", text: t }))),
      ),
      h(
        "tbody",
        {},
        rows.map(([id, attempts]) => {
          const scores = attempts.map((a) => a.score);
          const last = attempts[attempts.length - 1];
          const known = state.questions.some((q) => q.id === id);
          return h(
            "tr",
            { "data-question": id },
            h(
              "th",
              { scope: "row" },
              known
                ? h("button", { type: "button", class: "link", "data-open": id, title: last.text, text: id })
                : h("span", { title: last.text, text: id }),
              h("span", { class: "history-text", text: shorten(last.text, 70) }),
            ),
            h("td", { class: "num", text: String(attempts.length) }),
            h("td", {}, sparkline(scores)),
            h("td", { class: "num", text: percent(Math.max(...scores)) }),
            h("td", { class: "when", text: new Date(last.at).toLocaleString() }),
          );
        }),
      ),
    ),
  );
}

/** The last scores as little bars, with the figures in words beside them. */
function sparkline(scores) {
  const recent = scores.slice(-12);
  const bars = h(
    "span",
    { class: "spark", "aria-hidden": "true" },
    recent.map((score) => {
      const bar = h("span", { class: `spark-bar ${bandClass(score)}` });
      bar.style.height = `${Math.max(6, Math.round(score * 100))}%`;
      return bar;
    }),
  );
  const words = (scores.length > recent.length ? "… → " : "") + recent.map(percent).join(" → ");
  return h("span", { class: "spark-wrap" }, bars, h("span", { class: "spark-text", text: words }));
}

// ---------------------------------------------------------------- wiring

/** The answer's length beside the server's limit, counted as the server counts (code points). */
function updateCount() {
  const length = [...$("answer").value].length;
  const limit = state.maxChars;
  const over = limit !== null && length > limit;
  const count = length.toLocaleString("en-US");
  $("chars").textContent = limit === null
    ? (length ? `${count} characters.` : "")
    : `${count} / ${limit.toLocaleString("en-US")} characters${over ? ": over the limit, shorten it" : ""}.`;
  $("chars").classList.toggle("over", over);
}

/** The answer limit from GET /readyz; while the model loads (503 not_ready), asked again shortly. */
async function loadLimit(triesLeft = 60) {
  try {
    state.maxChars = (await api("/readyz")).max_answer_chars;
  } catch (problem) {
    if (problem instanceof ApiProblem && problem.code === "not_ready" && triesLeft > 0) {
      setTimeout(() => loadLimit(triesLeft - 1), 2000);
    }
    return;
  }
  updateCount();
}

function saveKey(event) {
  event.preventDefault();
  const key = $("api-key").value.trim();
  store.set(KEY_STORE, key || null);
  $("api-key").value = "";
  showError("");
  showStatus(key ? "API key saved in this browser." : "No API key is stored.");
  $("key-panel").open = false;
  loadQuestions();
}

function forgetKey() {
  store.set(KEY_STORE, null);
  $("api-key").value = "";
  showStatus("The API key is forgotten.");
}

function start() {
  $("level").addEventListener("change", () => {
    fillTopics();
    fillQuestions();
  });
  $("topic").addEventListener("change", () => fillQuestions());
  $("question").addEventListener("change", (event) => chooseQuestion(event.target.value));
  $("surprise").addEventListener("click", surprise);
  $("answer-form").addEventListener("submit", submitAnswer);
  $("answer").addEventListener("input", updateCount);
  $("answer").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) submitAnswer(event);
  });
  $("show-model").addEventListener("click", toggleModelAnswer);
  $("try-again").addEventListener("click", tryAgain);
  $("next-question").addEventListener("click", nextQuestion);
  window.addEventListener("hashchange", openFromAddress);  // a link to #q=... on the open page
  $("key-form").addEventListener("submit", saveKey);
  $("key-forget").addEventListener("click", forgetKey);
  $("clear-history").addEventListener("click", () => {
    if (!confirm("Clear the history of all your attempts in this browser?")) return;
    store.set(HISTORY_STORE, null);
    renderHistory();
  });
  $("history").addEventListener("click", (event) => {
    const id = event.target.dataset && event.target.dataset.open;
    if (id && openQuestion(id)) $("answer").focus();
  });
  renderHistory();
  loadQuestions().then(renderHistory);
  loadLimit();
}

document.addEventListener("DOMContentLoaded", start);
