// Package features turns the extract stage's tables into per-flow feature
// vectors for the Random Forest and the anomaly detector.
//
// # Input
//
// An extract output directory: flows.parquet, and dns.parquet, http.parquet
// and tls.parquet when present (their records are summarised per flow by
// uid).
//
// # Output
//
// A [Set]: one row per flow with identifying columns (uid, capture id,
// timestamp, endpoints; never used as features) and a fixed, versioned
// list of float32 features ([Schema]). [Write] stores it as
// features.parquet with the schema version in the file metadata; the model
// file records the same schema and rejects vectors built with another.
//
// # Features
//
// Volumes, rates and ratios per direction; packet-size and inter-arrival
// statistics; TCP flag counts and Zeek connection state and history
// letters; the first packets' sizes and directions; DNS, HTTP and TLS
// numbers of the flow's records; and per-host aggregates over the time
// window the flow started in (fan-out, distinct ports, failed-connection
// ratio, DNS failures of its originator, fan-in of its responder) — the
// context a single scan probe or flood packet lacks on its own.
//
// Identity shortcuts are not features by default: addresses, port numbers
// and timestamps, and the fields known to fingerprint a lab's machines
// rather than behaviour (TTLs, initial TCP windows, MSS). Config can add
// them back for an ablation study.
//
// Missing values (a statistic with too few packets, a rate of a
// zero-length flow) are NaN, never 0.
package features
