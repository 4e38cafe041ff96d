// Package alert defines the alert record every detector emits and writes
// alerts.parquet and alerts.jsonl.
//
// # Output
//
// alerts.parquet has one row per alert with the columns of [Alert];
// alerts.jsonl holds the same alerts as one JSON object per line with
// ECS-style field names (event.*, rule.*, threat.*, source.ip, ...), ready for
// a SIEM. Both are written atomically and sorted by (ts_first, rule_id,
// src) so that identical inputs give identical files.
package alert

// Detector names the layer that raised an alert.
const (
	DetectorRules   = "rules"
	DetectorSigma   = "sigma"
	DetectorModel   = "model"
	DetectorAnomaly = "anomaly"
)

// Severities, lowest first.
const (
	SeverityInfo     = "informational"
	SeverityLow      = "low"
	SeverityMedium   = "medium"
	SeverityHigh     = "high"
	SeverityCritical = "critical"
)

// Alert is one finding with the evidence that supports it.
type Alert struct {
	// TsFirst and TsLast bound the evidence in time (nanoseconds since the
	// epoch, UTC; written as microsecond timestamps).
	TsFirst int64 `parquet:"ts_first,timestamp(microsecond)"`
	TsLast  int64 `parquet:"ts_last,timestamp(microsecond)"`
	// Detector is one of rules, sigma, model, anomaly.
	Detector string `parquet:"detector,dict"`
	// RuleID identifies the detection: a threshold rule name such as
	// "syn-flood", a Sigma rule id, or the model file's id.
	RuleID string `parquet:"rule_id,dict"`
	// Name is a human title ("SYN flood toward 10.10.10.10").
	Name     string `parquet:"name"`
	Severity string `parquet:"severity,dict"`
	// Confidence in [0, 1].
	Confidence float64 `parquet:"confidence"`
	// Mitre lists ATT&CK technique ids (T1498.001).
	Mitre []string `parquet:"mitre,list"`
	// Tags carries Sigma tags and other labels.
	Tags []string `parquet:"tags,list"`
	// Src and Dst list the addresses involved (attackers first; the victim
	// or destination). DstPort is set when one port is the target.
	Src     []string `parquet:"src,list"`
	Dst     []string `parquet:"dst,list"`
	DstPort *int32   `parquet:"dst_port,optional"`
	// Count is the number that triggered the alert (packets, flows,
	// requests, distinct ports, ...), named by CountUnit; Threshold is the
	// configured value it exceeded (null for Sigma and model alerts).
	Count     int64    `parquet:"count"`
	CountUnit string   `parquet:"count_unit,dict"`
	Threshold *float64 `parquet:"threshold,optional"`
	// Evidence references rows of the extract tables: "flow:<uid>",
	// "dns:<uid>:<trans_depth>", "http:<uid>:<trans_depth>",
	// "tls:<uid>:<trans_depth>". EvidenceTotal is how many rows supported
	// the alert; Evidence may list only the first of them.
	Evidence      []string `parquet:"evidence,list"`
	EvidenceTotal int64    `parquet:"evidence_total"`
	// Description explains what was seen in one or two sentences.
	Description string `parquet:"description"`
	// Details holds detector-specific values as a JSON object (window
	// size, per-port counts, feature contributions, ...).
	Details string `parquet:"details,json"`
	// CaptureID ties the alert to the batch it came from.
	CaptureID string `parquet:"capture_id,dict"`
}
