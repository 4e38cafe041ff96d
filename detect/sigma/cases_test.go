package sigma

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// caseAlert is the part of an alert the case goldens pin down.
type caseAlert struct {
	RuleID        string   `json:"rule_id"`
	Name          string   `json:"name"`
	Severity      string   `json:"severity"`
	Mitre         []string `json:"mitre,omitempty"`
	Src           []string `json:"src,omitempty"`
	Dst           []string `json:"dst,omitempty"`
	DstPort       *int32   `json:"dst_port,omitempty"`
	Count         int64    `json:"count"`
	CountUnit     string   `json:"count_unit"`
	Evidence      []string `json:"evidence"`
	EvidenceTotal int64    `json:"evidence_total"`
	TsFirst       int64    `json:"ts_first"`
	TsLast        int64    `json:"ts_last"`
	CaptureID     string   `json:"capture_id,omitempty"`
}

// TestCases runs each testdata/<case>/rule.yml over records.jsonl and
// compares the alerts with want.jsonl (rewritten when UPDATE_GOLDEN=1).
func TestCases(t *testing.T) {
	dirs, err := filepath.Glob("testdata/*/rule.yml")
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) == 0 {
		t.Fatal("no cases in testdata")
	}
	for _, ruleFile := range dirs {
		dir := filepath.Dir(ruleFile)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			rs, rep, err := Load(ruleFile)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range rep.Rules {
				if r.Status != Supported {
					t.Fatalf("%s: %s: %s", r.Title, r.Status, r.Reason)
				}
			}
			recs := readRecords(t, filepath.Join(dir, "records.jsonl"))
			ev := rs.NewEvaluator()
			byType := map[RecordType][]map[string]any{}
			for _, r := range recs {
				byType[r.Type] = append(byType[r.Type], r.Cols)
			}
			for _, rt := range RecordTypes {
				if rows := byType[rt]; len(rows) > 0 {
					if err := ev.Add(rt, buildTable(t, rt, rows)); err != nil {
						t.Fatal(err)
					}
				}
			}
			as, err := ev.Alerts()
			if err != nil {
				t.Fatal(err)
			}
			var got bytes.Buffer
			for _, a := range as {
				line, err := json.Marshal(caseAlert{a.RuleID, a.Name, a.Severity, a.Mitre, a.Src, a.Dst, a.DstPort, a.Count, a.CountUnit, a.Evidence, a.EvidenceTotal, a.TsFirst, a.TsLast, a.CaptureID})
				if err != nil {
					t.Fatal(err)
				}
				got.Write(line)
				got.WriteByte('\n')
			}
			wantFile := filepath.Join(dir, "want.jsonl")
			if os.Getenv("UPDATE_GOLDEN") == "1" {
				if err := os.WriteFile(wantFile, got.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(wantFile)
			if err != nil {
				t.Fatalf("%v (run with UPDATE_GOLDEN=1 to create it)", err)
			}
			if diff := cmp.Diff(got.String(), string(want)); diff != "" {
				t.Errorf("Alerts() (-got, +want):\n%s", diff)
			}
		})
	}
}
