// docs/BENCHMARKS.md when it does not exist yet: how to run, what is measured and how; the generated
// section (between the markers) is rewritten by every full run, the rest is kept as written.
export function docTemplate(section: string): string {
  return `# Benchmarks

\`npm run bench\` runs every benchmark (about 10 minutes on 2 cores), prints the table, writes
\`bench/out/latest.json\` and rewrites the section between the markers below. \`npm run bench -- --smoke\`
runs each with tiny numbers in under a minute to check the machinery (it writes \`bench/out/smoke.json\`);
\`--only=pacing,ttfa,bargein,console\` runs a subset. CPU profiles of the host's measured window (ours at 100 and 1,000
streams) go to \`bench/out/profiles/\` (open them in Chrome DevTools; \`bench/lib/profile.ts\` summarises them, and
the run notes below quote the summary).

## Results

${section}

## How it is measured

Three processes on loopback, started fresh for each run: the **host** (the system under test: \`createHost\`
in live mode, so webhooks, history on disk, the media server with its shared pacer and barge-in detector, and
the TTS pipeline polling S3 with its lean signed GETs), the **cloud** (the S3-compatible store and a TTS stand-in
that "synthesises" by uploading prepared parts: part 0 after 250–500 ms, then one 1.2 s part every
300–500 ms, deterministic jitter) and the **load generator** (the Twilio side of every stream: signed upgrade,
\`connected\`/\`start\`, 20 ms inbound media on an absolute clock, marks echoed when played or cleared).
The store is s3rver for time to first audio (what the issue names), and a small in-memory S3-compatible
server (bench/lib/mem-s3.ts) for the runs with 100+ streams, because s3rver saturates at a few hundred
requests per second and would otherwise be the bottleneck; one run of ours at 100 streams reads parts from
a folder instead (the demo's store: no S3 client in the host), the A/B for the S3 client's cost. Time stamps are \`performance.timeOrigin +
performance.now()\`, comparable across the processes. Before each measured run, 20 warm-up streams run
and are discarded (JIT, lazy module loads and the TTS poller's learned landing window, as in a host
that has been up for a while).

Definitions (bench/lib/playout.ts, table-tested):
- **Frame k** is the k-th 160-byte unit of a reply's audio; it arrives with the message carrying its last byte.
- **Lateness vs grid**: arrival(k) − (arrival(0) + 20k). Negative = ahead.
- **Lateness beyond lead**: arrival(k) − (arrival(0) + max(0, 20k − lead)), the deadline a sender with that
  lead promises (ours: PACING_LEAD_MS = 100; setTimeout chain: 0; send-everything-at-once: ∞).
- **Underrun**: Twilio's buffer is modelled as playing from the first arrival with no jitter buffer of its own;
  a frame that arrives after everything before it has finished playing is an underrun (an audible gap).
- **Max lead**: the most audio queued at Twilio just after an arrival (what a \`clear\` must throw away).
  For send-everything-at-once the deadline is the first frame, so its "beyond lead" only says how long the
  reply took to arrive; compare it on max lead and underruns.
- **Byte-exact**: the concatenated payloads equal the parts' data chunks, plus at most one frame of 0xFF padding.
- **Time to first audio**: part 0 landing in the store (s3rver: its PutObject completed; in-memory store: the object
  stored; folder: the rename) → the first media frame at the Twilio side.
- **S3 GETs per waiting stream**: GETs of part 0 counted at the store before it landed, over the time from the
  job's POST to the landing.
- **Barge-in latency**: the speech onset (offline energy analysis, bench/lib/onset.ts: first run of ≥ 30 ms of
  10 ms windows above −40 dBFS, refined to 1 ms) at the time Twilio would have captured it (each inbound frame
  is sent when its 20 ms have been captured) → \`clear\` received.
- **Host CPU / event-loop delay / memory**: \`process.cpuUsage\`, \`monitorEventLoopDelay\` (resolution subtracted)
  and peak RSS growth over the measured window, inside the host process only.

Baselines (bench/baselines): the same TTS pipeline and framer behind a plain ws server, sending one frame
per message either with a per-stream \`setTimeout(20)\` chain or all at once as parts arrive.

## Findings

(Written by hand after a full run: what missed, what the profile showed, what changed.)
`;
}
