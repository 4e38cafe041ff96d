// Package detect runs the detection layers over an extract output
// directory and writes the alerts.
//
// # Input
//
// DIR/flows.parquet (and dns.parquet, http.parquet, tls.parquet when
// present) from the extract stage; the threshold configuration; Sigma rule
// files; optionally a model file.
//
// # Output
//
// DIR/alerts.parquet and DIR/alerts.jsonl (see [alert.Alert]) and
// DIR/detect.json: what ran, what was skipped and why, the perspective
// host and the exclusions, and alert counts by detector.
//
// # Layers
//
// Threshold rules (detect/rules), Sigma rules (detect/sigma), and, when a
// model is given, Random Forest scoring and anomaly scoring of the
// features (detect/model). Each layer runs on columns, never on packets.
package detect
