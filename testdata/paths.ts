// Where the test data lives: tests and benchmarks read only what the repository holds (see testdata/README.md).
import { join } from "node:path";

/** The testdata/ folder of this checkout. */
export const TESTDATA = import.meta.dirname;
/** Real TraceLink runs recorded by PGo's own systems: pgo/<system>/<set>/<run>/trace-*.log. */
export const PGO_TRACES = join(TESTDATA, "tracelink", "pgo");
/** TraceLink runs of this repository's systems and mutants of them, with TLC's verdicts: ours/<system>/<case>/, verdicts.tsv. */
export const OUR_TRACES = join(TESTDATA, "tracelink", "ours");
/** Real TraceLink/TLC console output. */
export const TLC_LOGS = join(TESTDATA, "tlc");
/** Jepsen etcd and Porcupine kv histories with their verdicts (etcd/, kv/, each with verdicts.tsv). */
export const LIN_HISTORIES = join(TESTDATA, "linearizability");
