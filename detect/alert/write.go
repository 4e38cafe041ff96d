package alert

import (
	"bufio"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/parquet-go/parquet-go"

	"flowsift/internal/atomicfile"
)

// File names of the alert tables.
const (
	ParquetFile = "alerts.parquet"
	JSONLFile   = "alerts.jsonl"
)

// Sort orders alerts deterministically: by first timestamp, detector,
// rule, sources and destinations.
func Sort(alerts []Alert) {
	slices.SortStableFunc(alerts, func(a, b Alert) int {
		return cmp.Or(
			cmp.Compare(a.TsFirst, b.TsFirst),
			strings.Compare(a.Detector, b.Detector),
			strings.Compare(a.RuleID, b.RuleID),
			slices.Compare(a.Src, b.Src),
			slices.Compare(a.Dst, b.Dst),
			cmp.Compare(a.Count, b.Count),
		)
	})
}

// Write sorts the alerts and writes DIR/alerts.parquet and DIR/alerts.jsonl
// atomically. Empty lists stay [] so every row has the same shape.
func Write(dir string, alerts []Alert, meta map[string]string) error {
	Sort(alerts)
	for i := range alerts {
		for _, l := range []*[]string{&alerts[i].Mitre, &alerts[i].Tags, &alerts[i].Src, &alerts[i].Dst, &alerts[i].Evidence} {
			if *l == nil {
				*l = []string{}
			}
		}
		if alerts[i].Details == "" {
			alerts[i].Details = "{}"
		}
	}
	if err := atomic(filepath.Join(dir, ParquetFile), func(f io.Writer) error {
		opts := []parquet.WriterOption{parquet.Compression(&parquet.Zstd)}
		for _, k := range slices.Sorted(func(yield func(string) bool) {
			for k := range meta {
				if !yield(k) {
					return
				}
			}
		}) {
			opts = append(opts, parquet.KeyValueMetadata(k, meta[k]))
		}
		w := parquet.NewGenericWriter[Alert](f, opts...)
		if _, err := w.Write(alerts); err != nil {
			return err
		}
		return w.Close()
	}); err != nil {
		return err
	}
	return atomic(filepath.Join(dir, JSONLFile), func(f io.Writer) error {
		bw := bufio.NewWriter(f)
		enc := json.NewEncoder(bw)
		enc.SetEscapeHTML(false)
		for i := range alerts {
			if err := enc.Encode(ECS(&alerts[i])); err != nil {
				return err
			}
		}
		return bw.Flush()
	})
}

// Read reads DIR/alerts.parquet.
func Read(dir string) ([]Alert, error) {
	path := filepath.Join(dir, ParquetFile)
	alerts, err := parquet.ReadFile[Alert](path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return alerts, nil
}

func atomic(path string, write func(io.Writer) error) error {
	if err := atomicfile.Write(path, write); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// ECS returns the alert as an Elastic Common Schema style document for
// alerts.jsonl.
func ECS(a *Alert) map[string]any {
	doc := map[string]any{
		"@timestamp": time.Unix(0, a.TsFirst).UTC().Format(time.RFC3339Nano),
		"event": map[string]any{
			"kind":       "alert",
			"category":   []string{"network", "intrusion_detection"},
			"module":     "flowsift",
			"dataset":    "flowsift." + a.Detector,
			"start":      time.Unix(0, a.TsFirst).UTC().Format(time.RFC3339Nano),
			"end":        time.Unix(0, a.TsLast).UTC().Format(time.RFC3339Nano),
			"severity":   severityNumber(a.Severity),
			"risk_score": a.Confidence * 100,
		},
		"rule": map[string]any{
			"id":          a.RuleID,
			"name":        a.Name,
			"description": a.Description,
			"ruleset":     a.Detector,
		},
		"message": a.Description,
		"flowsift": map[string]any{
			"severity":       a.Severity,
			"confidence":     a.Confidence,
			"count":          a.Count,
			"count_unit":     a.CountUnit,
			"threshold":      a.Threshold,
			"evidence":       a.Evidence,
			"evidence_total": a.EvidenceTotal,
			"capture_id":     a.CaptureID,
			"details":        json.RawMessage(a.Details),
		},
		"source":      map[string]any{"ip": a.Src},
		"destination": map[string]any{"ip": a.Dst},
		"tags":        a.Tags,
	}
	if a.DstPort != nil {
		doc["destination"].(map[string]any)["port"] = *a.DstPort
	}
	if len(a.Mitre) > 0 {
		techs := make([]map[string]any, len(a.Mitre))
		for i, t := range a.Mitre {
			techs[i] = map[string]any{"id": t, "reference": "https://attack.mitre.org/techniques/" + strings.ReplaceAll(t, ".", "/") + "/"}
		}
		doc["threat"] = map[string]any{"framework": "MITRE ATT&CK", "technique": techs}
	}
	return doc
}

func severityNumber(s string) int {
	switch s {
	case SeverityCritical:
		return 99
	case SeverityHigh:
		return 73
	case SeverityMedium:
		return 47
	case SeverityLow:
		return 21
	}
	return 1
}
