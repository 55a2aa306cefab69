// Package monitor keeps watching targets: it decides when a failing check
// becomes an incident, when a rise of failures in a log becomes an episode,
// when each check runs, and which alerts to send. It stores nothing, serves
// nothing and sends nothing itself: checks, diagnoses, the clock, the
// random source of jitter, the sink of events and the channel of alerts are
// all given to it, so every decision can be tested with a fake clock.
//
// # Incidents
//
// A [Tracker] follows one target. It is a pure state machine fed with check
// results in time order; each result returns an [Outcome]: what to run next
// (a confirmation, a full diagnosis, a burst) and the events it caused. The
// rules, with the defaults of [Policy]:
//
//   - The first failed check asks at once for a confirmation check and a
//     full diagnosis. An incident opens when OpenAfter (2) checks in a row
//     have failed, dated from the first of them, with the diagnosis captured
//     at onset (attached when it arrives if the confirmation was quicker).
//     It starts as persistent.
//   - Later failures attach to it. A cause seen by CauseChangeAfter (2)
//     failed checks in a row replaces the incident's cause: one event, and a
//     new diagnosis. A vaguer cause ("unknown", or "upstream" beside
//     "upstream.refused") never replaces a precise one. A failure after a
//     success makes a persistent incident intermittent (one event, once).
//   - It closes after CloseAfter (3) successes in a row, once the recovery
//     (since its last failure) has lasted its window: FlapWindow (60 s) for
//     an incident opened by confirmation, SampleWindow (10 min) for one
//     opened by sampling. A flapping target thus keeps one incident; a
//     failure after a longer recovery opens a new one. A closed incident
//     keeps its timeline (at most MaxTimeline, 200, entries).
//   - Intermittent failures are sampled: when a check fails but its
//     confirmation succeeds, the tracker asks for a burst of BurstSize (10)
//     checks spread over BurstSpan (10 s). A burst counts as failing when
//     any of its checks failed, the one that set it off included; two
//     failing bursts within SampleWindow (10 min) open an intermittent
//     incident. A single failure in an hour opens nothing.
//
// # Log episodes
//
// The same idea applied to a gateway's log: an [EpisodeTracker] is fed with
// the upstream failures a log shows, and [Episodes] runs it over a whole
// log read after the fact. With the defaults of [EpisodeOptions], an
// episode opens when a log shows at least MinFailures (5) failures within
// Window (60 s) and at least Ratio (3) times its rate of the Baseline (1 h)
// before; it closes after Quiet (5 min) without such a rise. It reports its
// start, end, failures, dominant cause, and each cause that appears beside
// the others once it has MinCauseFailures (2) failures. [LogWatch] follows
// one log that way, closing a quiet episode within a second.
//
// # Scheduling
//
// A [Scheduler] runs each target at its interval, Options.Interval (30 s)
// unless the target sets one, from a random phase within the first
// interval, each slot moved later by up to Jitter (10 %) of the interval.
// At most MaxConcurrent (64) checks run at once, each under a hard
// deadline, the target's Timeout or Options.Timeout (10 s); a check that
// ignores its context is abandoned AbandonAfter (1 s) past its deadline, so
// a target that hangs never delays the others. Diagnoses run beside the
// checks, at most MaxDiagnoses (4) at once, each within DiagnoseTimeout
// (2 min). Lateness, from a check's slot to its start, is measured; a check
// more than LateAfter (1 s) late is counted in [Stats]. Replicas that share
// targets give each scheduler every target and Options.Holds: a slot of a
// target the replica does not hold passes without a check.
//
// # Alerts
//
// An [Alerter] turns incident events into [Alert] values: on open, on a
// cause change, reminders every AlertPolicy.Reminder (4 h) after the last
// alert while open, and on resolve with the downtime; a log episode is
// alerted as the incident of its log ([EpisodeIncident]), on open and close.
// An alert on open or on a cause change waits up to DiagnosisWait (3 s)
// for the diagnosis, so that it can say what to do. Maintenance windows mute alerts; an opening muted
// by a window is sent when the window ends if the incident is still open,
// and a resolve is sent exactly when its opening was. A [Dispatcher] sends
// alerts through a [Notifier] from its own queue (Queue, 100 alerts),
// retrying a failure Attempts (5) times with a backoff doubling from First
// (2 s) to Max (5 min), each try within Timeout (10 s); a full queue drops
// an alert instead of waiting, so sending never blocks checks. [Alerts]
// joins them: a [Sink] for the scheduler's events (beside storage, through
// [MultiSink]) that asks the Alerter every second for what is due.
package monitor
