// The voxemo page: live emotion from the microphone over a WebSocket, and a dropped file's
// prediction and timeline. Plain JavaScript, no build step, nothing loaded from elsewhere.
"use strict";

const COLOURS = {
  neutral: "#7a7a7a", calm: "#3a8fb7", happy: "#e0a100", sad: "#2c4f9e", angry: "#c0282d",
  fearful: "#7b3fa0", disgust: "#4f8a2b", surprised: "#e0641b",
};
const SILENCE = "#d9d9d9";
const LIVE_SECONDS = 60;
const $ = (id) => document.getElementById(id);
const colour = (label) => (label ? COLOURS[label] || "#555" : SILENCE);

let socket = null, audio = null, stream = null, history = [], hop = 1;

function headers() {
  const key = $("api-key").value.trim();
  return key ? { Authorization: `Bearer ${key}` } : {};
}

function say(id, text, problem = false) {
  const element = $(id);
  element.textContent = text;
  element.classList.toggle("problem", problem);
}

function bars(id, probabilities) {
  const list = $(id);
  list.replaceChildren();
  for (const [label, p] of Object.entries(probabilities || {})) {
    const item = document.createElement("li");
    const name = document.createElement("span");
    name.textContent = label;
    const bar = document.createElement("span");
    bar.className = "bar";
    bar.setAttribute("role", "meter");
    bar.setAttribute("aria-label", label);
    bar.setAttribute("aria-valuemin", "0");
    bar.setAttribute("aria-valuemax", "1");
    bar.setAttribute("aria-valuenow", p.toFixed(2));
    const fill = document.createElement("span");
    fill.className = "fill";
    fill.style.display = "block";
    fill.style.width = `${(p * 100).toFixed(1)}%`;
    fill.style.background = colour(label);
    bar.append(fill);
    const value = document.createElement("span");
    value.className = "value";
    value.textContent = p.toFixed(2);
    item.append(name, bar, value);
    list.append(item);
  }
}

function legend(labels) {
  const holder = $("legend");
  holder.replaceChildren();
  for (const label of [...labels, null]) {
    const entry = document.createElement("span");
    const swatch = document.createElement("i");
    swatch.style.background = colour(label);
    entry.append(swatch, label || "silence");
    holder.append(entry);
  }
}

// Bars from start to end (seconds) on a canvas spanning [from, to].
function drawSpans(canvas, spans, from, to) {
  const context = canvas.getContext("2d");
  const { width, height } = canvas;
  context.clearRect(0, 0, width, height);
  const x = (t) => ((t - from) / Math.max(to - from, 1e-9)) * width;
  for (const span of spans) {
    context.fillStyle = colour(span.label);
    const top = span.label ? height * (1 - (span.confidence ?? 1)) : height * 0.8;
    context.fillRect(x(span.start), top, Math.max(1, x(span.end) - x(span.start)), height - top);
  }
  context.fillStyle = "#4a4a4a";
  context.font = "12px system-ui, sans-serif";
  context.fillText(`${from.toFixed(0)} s`, 4, 14);
  const last = `${to.toFixed(0)} s`;
  context.fillText(last, width - context.measureText(last).width - 4, 14);
}

function drawLive() {
  const now = history.length ? history[history.length - 1].time : 0;
  const from = Math.max(0, now - LIVE_SECONDS);
  const spans = history
    .filter((u) => u.time >= from)
    .map((u) => ({ start: u.time - hop, end: u.time, label: u.label, confidence: u.confidence }));
  drawSpans($("live-timeline"), spans, from, Math.max(now, from + LIVE_SECONDS));
}

async function describeModel() {
  try {
    const response = await fetch("/v1/models", { headers: headers() });
    const body = await response.json();
    if (!response.ok) throw new Error(body.error || response.statusText);
    const s = body.serving;
    if (!s.labels) {
      say("model", `Model ${s.name} is loading…`);
      setTimeout(describeModel, 1000);
      return;
    }
    say("model", `Model ${s.name} (${s.kind}): ${s.labels.join(", ")}.`);
    legend(s.labels);
  } catch (error) {
    say("model", `Cannot describe the model: ${error.message}`, true);
  }
}

function microphoneProblem(error) {
  if (error.name === "NotAllowedError" || error.name === "SecurityError") {
    return "The microphone was refused. Allow this page to use it (the camera/microphone icon " +
      "in the address bar), then press Start listening again.";
  }
  if (error.name === "NotFoundError") return "No microphone was found on this device.";
  if (!navigator.mediaDevices) {
    return "This browser gives no microphone to this page (it needs https or localhost).";
  }
  return `The microphone could not be opened: ${error.message}`;
}

async function start() {
  $("start").disabled = true;
  say("live-status", "Asking for the microphone…");
  try {
    stream = await navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1 } });
  } catch (error) {
    say("live-status", microphoneProblem(error), true);
    $("start").disabled = false;
    return;
  }
  try {
    await connect();
  } catch (error) {
    release();
    say("live-status", `Listening could not start: ${error.message}`, true);
  }
}

async function connect() {
  audio = new AudioContext();
  await audio.resume();
  await audio.audioWorklet.addModule("/static/capture-worklet.js");
  const source = audio.createMediaStreamSource(stream);
  const capture = new AudioWorkletNode(audio, "capture");
  const mute = audio.createGain();
  mute.gain.value = 0;
  source.connect(capture).connect(mute).connect(audio.destination);

  const key = $("api-key").value.trim();
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const query = key ? `?api_key=${encodeURIComponent(key)}` : "";
  socket = new WebSocket(`${scheme}://${location.host}/v1/stream${query}`);
  socket.binaryType = "arraybuffer";
  let pending = [], pendingLength = 0;
  const chunk = Math.round(audio.sampleRate / 10); // send every 100 ms
  socket.onopen = () => {
    socket.send(JSON.stringify({ sample_rate: audio.sampleRate, encoding: "f32le", window: 3, hop: 1 }));
  };
  capture.port.onmessage = (event) => {
    if (!socket || socket.readyState !== WebSocket.OPEN) return;
    pending.push(event.data);
    pendingLength += event.data.length;
    if (pendingLength < chunk) return;
    const joined = new Float32Array(pendingLength);
    let offset = 0;
    for (const block of pending) { joined.set(block, offset); offset += block.length; }
    pending = []; pendingLength = 0;
    socket.send(joined.buffer);
  };
  let shown = null;
  socket.onmessage = (event) => {
    const message = JSON.parse(event.data);
    if (message.event === "ready") {
      hop = message.hop;
      history = [];
      say("live-status", `Listening (${audio.sampleRate} Hz); the first emotion comes after ${message.window} s.`);
      $("stop").disabled = false;
      $("stop").focus();
    } else if (message.event === "update") {
      history.push(message);
      if (history.length > 4 * LIVE_SECONDS / hop) history.shift();
      const label = message.label || "silence";
      $("live-emotion").textContent = label;
      $("live-confidence").textContent = message.label ? `(${message.confidence.toFixed(2)})` : "";
      if (label !== shown) { say("live-change", `Now ${label}.`); shown = label; }
      bars("live-bars", message.probabilities);
      drawLive();
    } else if (message.event === "summary") {
      const top = Object.keys(message.share)[0];
      say("live-status", `Stopped after ${message.seconds.toFixed(0)} s` +
        (top ? `; most often ${top}.` : "; no speech heard."));
    }
  };
  socket.onerror = () => say("live-status", "The connection to the service failed.", true);
  socket.onclose = (event) => {
    if (event.code !== 1000) say("live-status", `The stream ended: ${event.reason || `code ${event.code}`}`, true);
    release();
  };
}

function release() {
  if (stream) stream.getTracks().forEach((track) => track.stop());
  if (audio) audio.close();
  stream = audio = socket = null;
  $("start").disabled = false;
  $("stop").disabled = true;
  if (document.activeElement === document.body) $("start").focus();
}

function stop() {
  if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ event: "end" }));
  else release();
  $("stop").disabled = true;
}

async function post(file, query) {
  const form = new FormData();
  form.append("file", file, file.name);
  const response = await fetch(`/v1/predict${query}`, { method: "POST", body: form, headers: headers() });
  const body = await response.json();
  if (!response.ok) throw new Error(body.error || `${response.status} ${response.statusText}`);
  return body;
}

async function predictFile(file) {
  say("file-status", `Predicting ${file.name}…`);
  $("file-result").hidden = true;
  try {
    const [whole, timeline] = await Promise.all([post(file, ""), post(file, "?timeline=true")]);
    $("file-name").textContent = whole.path;
    $("file-emotion").textContent = whole.label;
    $("file-confidence").textContent = `(${whole.probabilities[whole.label].toFixed(2)})`;
    bars("file-bars", whole.probabilities);
    drawSpans($("file-timeline"), timeline.segments, 0, timeline.duration);
    $("file-caption").textContent = `${timeline.segments.length} segments over ` +
      `${timeline.duration.toFixed(1)} s (${timeline.speech_seconds.toFixed(1)} s of speech).`;
    $("file-result").hidden = false;
    say("file-status", `Done: ${file.name} (${whole.duration.toFixed(1)} s).`);
  } catch (error) {
    say("file-status", error.message, true);
  }
}

function wire() {
  $("start").addEventListener("click", start);
  $("stop").addEventListener("click", stop);
  const drop = $("drop"), input = $("file");
  drop.addEventListener("click", () => input.click());
  drop.addEventListener("keydown", (event) => {
    if (event.key === "Enter" || event.key === " ") { event.preventDefault(); input.click(); }
  });
  drop.addEventListener("dragover", (event) => { event.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (event) => {
    event.preventDefault();
    drop.classList.remove("over");
    if (event.dataTransfer.files.length) predictFile(event.dataTransfer.files[0]);
  });
  input.addEventListener("change", () => { if (input.files.length) predictFile(input.files[0]); });
  $("api-key").addEventListener("change", describeModel);
  describeModel();
}

wire();
