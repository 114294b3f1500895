/** The machine check (doctor): facts from a root, judgements, report. */
export { runDoctor, reportFromFacts, doctorExitCode, doctorMarkdown, doctorText, type DoctorReport } from "./doctor";
export { gatherFacts, type MachineFacts } from "./facts";
export { runChecks, type Check, type CheckStatus } from "./checks";
export { decidePaging, type PagingEvidence, type PagingDecision } from "./paging";
export { liveKexecVersion } from "./liveKexec";
export { RootFs } from "./rootFs";
