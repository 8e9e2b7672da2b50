// webdistill's side of the benchmark: its public npm API (pkg/), on WebGPU or the CPU.

import init, { Session } from "../generated/pkg/webdistill.js";
import { fetchBytes } from "./files.js";

const ASSETS = new URL("../generated/", import.meta.url);
let initialised = false;

/** A session on `backend` with the teacher, the test set and training shard 0 loaded. */
export async function openSession(backend) {
  if (!initialised) await init();
  initialised = true;
  const session = await Session.create(backend);
  const get = (name) => fetchBytes(new URL(name, ASSETS));
  session.loadTeacher(await get("teacher.safetensors"), new TextDecoder().decode(await get("teacher.json")));
  session.loadTest(await get("mnist/test-images.idx.gz"), await get("mnist/test-labels.idx.gz"));
  session.loadTrainLabels(await get("mnist/train-labels.idx.gz"));
  session.loadTrainShard(0, await get("mnist/train-images-0.idx.gz"));
  return session;
}

/** A training benchmark's result with its replay (initial weights, batches, teacher logits). */
export async function benchTraining(session, spec) {
  const run = await session.benchTraining(spec);
  try {
    return { ...run.result, replay: { initial_weights: run.initialWeights, rows: run.rows, teacher_logits: run.teacherLogits } };
  } finally {
    run.free();
  }
}

/** Training throughput of each spec, labelling throughput, then latency of the teacher and each MLP student. */
export async function measure(session, specs, labelImages) {
  const training = [];
  for (const spec of specs) training.push(await benchTraining(session, spec));
  const labelling = await session.benchLabelling(labelImages);
  const latency = { teacher: await session.teacherLatency() };
  for (const spec of specs.filter((s) => !s.channels?.length)) latency[`student ${spec.hidden.join("-")}`] = await session.studentLatency(spec.hidden);
  return { training, labelling, latency };
}
