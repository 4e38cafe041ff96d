package sigma

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// packDir is the shipped rule pack, relative to this package.
const packDir = "../../sigma_rules"

// TestPack checks every shipped rule: it loads cleanly, carries the
// metadata a triage analyst needs, and has positive and negative records in
// testdata/pack/<file stem>/ that behave.
func TestPack(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(packDir, "*.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 15 {
		t.Fatalf("sigma_rules has %d rule files, want at least 15", len(files))
	}
	ids := map[string]string{}
	rules := 0
	for _, f := range files {
		stem := strings.TrimSuffix(filepath.Base(f), ".yml")
		t.Run(stem, func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			docs := Parse(f, data)
			rs, rep := Compile(DefaultConfig(), docs)
			var corrIDs []string
			for _, r := range rep.Rules {
				if r.Status != Supported {
					t.Fatalf("%s %q: %s: %s", r.Kind, r.Title, r.Status, r.Reason)
				}
				if len(r.Warnings) > 0 {
					t.Errorf("%s %q: warnings %v", r.Kind, r.Title, r.Warnings)
				}
				if prev, dup := ids[r.ID]; dup {
					t.Errorf("id %s used by %s and %s", r.ID, prev, f)
				}
				ids[r.ID] = f
				if r.Kind == "correlation" {
					corrIDs = append(corrIDs, r.ID)
				}
				rules++
			}
			for _, d := range docs {
				m := docMeta(d)
				if m == nil {
					continue
				}
				checkMeta(t, m)
			}
			dir := filepath.Join("testdata", "pack", stem)
			match := readRecords(t, filepath.Join(dir, "match.jsonl"))
			nomatch := readRecords(t, filepath.Join(dir, "nomatch.jsonl"))
			if len(match) == 0 || len(nomatch) == 0 {
				t.Fatalf("%s needs records in both match.jsonl and nomatch.jsonl", dir)
			}
			if len(corrIDs) > 0 {
				checkCorrelationPack(t, rs, corrIDs, match, nomatch)
				return
			}
			for i, r := range match {
				if len(matchRecords(t, rs, []record{r})[0]) == 0 {
					t.Errorf("match.jsonl record %d does not match: %v", i+1, r.Cols)
				}
			}
			for i, r := range nomatch {
				if got := matchRecords(t, rs, []record{r})[0]; len(got) > 0 {
					t.Errorf("nomatch.jsonl record %d matches %v: %v", i+1, got, r.Cols)
				}
			}
			// Evaluated together, the same verdicts must hold.
			all := append(slices.Clone(match), nomatch...)
			got := matchRecords(t, rs, all)
			for i := range all {
				if (len(got[i]) > 0) != (i < len(match)) {
					t.Errorf("record %d of the combined batch: matched %v, want %v", i, got[i], i < len(match))
				}
			}
		})
	}
	if rules < 15 {
		t.Errorf("the pack holds %d rules, want at least 15", rules)
	}
}

func docMeta(d *Document) *Meta {
	switch {
	case d.Rule != nil:
		return &d.Rule.Meta
	case d.Correlation != nil:
		return &d.Correlation.Meta
	}
	return nil
}

func checkMeta(t *testing.T, m *Meta) {
	t.Helper()
	if !uuidRE.MatchString(m.ID) {
		t.Errorf("%q: id %q is not a UUID", m.Title, m.ID)
	}
	if m.Description == "" || m.Author == "" || m.Date == "" || m.Status == "" || m.Level == "" {
		t.Errorf("%q: description, author, date, status and level are required", m.Title)
	}
	if len(m.References) == 0 || len(m.FalsePositives) == 0 || len(m.Tags) == 0 {
		t.Errorf("%q: references, falsepositives and tags are required", m.Title)
	}
	if len(mitreOf(m.Tags)) == 0 {
		t.Errorf("%q: no ATT&CK technique tag", m.Title)
	}
}

// checkCorrelationPack evaluates all records of a set together: the match
// set must raise each correlation, the nomatch set none.
func checkCorrelationPack(t *testing.T, rs *Ruleset, corrIDs []string, match, nomatch []record) {
	t.Helper()
	for _, tc := range []struct {
		name string
		recs []record
		want bool
	}{{"match.jsonl", match, true}, {"nomatch.jsonl", nomatch, false}} {
		ev := rs.NewEvaluator()
		byType := map[RecordType][]map[string]any{}
		for _, r := range tc.recs {
			byType[r.Type] = append(byType[r.Type], r.Cols)
		}
		for rt, rows := range byType {
			if err := ev.Add(rt, buildTable(t, rt, rows)); err != nil {
				t.Fatal(err)
			}
		}
		as, err := ev.Alerts()
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range corrIDs {
			fired := false
			for _, a := range as {
				if a.RuleID == id {
					fired = true
				}
			}
			if fired != tc.want {
				t.Errorf("%s: correlation %s fired = %v, want %v (alerts %d)", tc.name, id, fired, tc.want, len(as))
			}
		}
		for _, a := range as {
			if !slices.Contains(corrIDs, a.RuleID) {
				t.Errorf("%s: base rule %s raised its own alert; correlation base rules should not", tc.name, a.RuleID)
			}
		}
	}
}
