// Package rules holds the threshold detections: floods, scans, DNS abuse,
// reflection, tunnelling, exfiltration, unusual ports and beaconing.
//
// # Input
//
// The extract stage's tables (flows.parquet, and dns.parquet and
// http.parquet when present), read as columns with addresses interned to
// small integers ([Load]).
//
// # Output
//
// Alerts ([alert.Alert]) naming attackers, victims, the count that crossed
// the threshold and the flow, DNS or HTTP rows that support it.
//
// # Method
//
// Every detection is a column operation: one pass over the needed columns
// builds events (group, time span, weight); rates are measured over
// windows that slide by half their length, with a flow's weight spread
// evenly over its span, so a long benign capture never adds up to a flood.
// Groups are chosen so that one attack is one alert: floods group by
// victim (a spoofed SYN flood with thousands of sources is one alert),
// scans by scanner and target (vertical) or by scanner (horizontal sweeps
// of one or several ports, which merge when they overlap in time, and ICMP
// echo sweeps).
// Thresholds live in defaults.yaml (embedded) and can be overridden.
package rules
