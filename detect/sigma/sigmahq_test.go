package sigma

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

type indexRow struct {
	path, id, group, verdict, reason string
}

func readIndex(t *testing.T, dir string) []indexRow {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "INDEX.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	var out []indexRow
	for _, line := range strings.Split(strings.TrimRight(string(data), "\n"), "\n")[1:] {
		f := strings.Split(line, "\t")
		if len(f) < 16 {
			t.Fatalf("INDEX.tsv: short row %q", line)
		}
		out = append(out, indexRow{path: f[0], id: f[1], group: f[5], verdict: f[14], reason: f[15]})
	}
	return out
}

// TestSigmaHQLoadAll loads every SigmaHQ network-relevant rule: each must
// be supported, or skipped or invalid with a reason, and nothing may
// panic. Every rule INDEX.tsv marks pcap_evaluable=yes must compile.
func TestSigmaHQLoadAll(t *testing.T) {
	dir := sharedDir(t, "sigmahq")
	rows := readIndex(t, dir)
	rs, rep, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	byFile := map[string]RuleReport{}
	for _, r := range rep.Rules {
		rel, _ := filepath.Rel(dir, r.File)
		if _, dup := byFile[rel]; dup {
			t.Errorf("%s: more than one report entry", rel)
		}
		byFile[rel] = r
		if r.Status != Supported && r.Reason == "" {
			t.Errorf("%s: %s without a reason", rel, r.Status)
		}
	}
	if len(byFile) != len(rows) {
		t.Errorf("report covers %d files, INDEX.tsv lists %d", len(byFile), len(rows))
	}
	counts := map[Status]int{}
	reasons := map[string]int{}
	yes := 0
	for _, row := range rows {
		r, ok := byFile[row.path]
		if !ok {
			t.Errorf("%s: not in the report", row.path)
			continue
		}
		counts[r.Status]++
		if r.Status != Supported {
			reasons[reasonKind(r.Reason)]++
		}
		if row.verdict == "yes" {
			yes++
			if r.Status != Supported {
				t.Errorf("%s (pcap_evaluable=yes): %s: %s", row.path, r.Status, r.Reason)
			}
		}
	}
	if yes == 0 {
		t.Fatal("INDEX.tsv has no pcap_evaluable=yes rules")
	}
	t.Logf("%d rules: %d supported, %d skipped, %d invalid; %d marked yes", len(rows), counts[Supported], counts[Skipped], counts[Invalid], yes)
	var keys []string
	for k := range reasons {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		t.Logf("  %3d %s", reasons[k], k)
	}
	if len(rs.Rules()) == 0 {
		t.Error("no rule compiled")
	}
	// With host remapping, Sysmon and Windows network rules load too, and
	// those that need process data say so.
	cfg := DefaultConfig()
	cfg.HostRemap = true
	_, rrep, err := LoadConfig(cfg, dir)
	if err != nil {
		t.Fatal(err)
	}
	hostOnly := 0
	for _, r := range rrep.Rules {
		if r.Status != Supported && r.Reason == "" {
			t.Errorf("%s: %s without a reason", r.File, r.Status)
		}
		if strings.Contains(r.Reason, "requires host telemetry") {
			hostOnly++
		}
	}
	if rrep.Count(Supported) <= counts[Supported] || hostOnly == 0 {
		t.Errorf("host remap: %d supported (without: %d), %d skipped for process data; want more supported and some skipped", rrep.Count(Supported), counts[Supported], hostOnly)
	}
	t.Logf("with host remapping: %d supported, %d skipped (%d need process data), %d invalid", rrep.Count(Supported), rrep.Count(Skipped), hostOnly, rrep.Count(Invalid))
}

// TestSigmaHQYesRules builds, for every rule marked pcap_evaluable=yes, a
// record that must match and one that must not, from the compiled rule's
// own values, and checks the engine's verdicts against both the
// construction and an independent reference evaluator.
func TestSigmaHQYesRules(t *testing.T) {
	dir := sharedDir(t, "sigmahq")
	rows := readIndex(t, dir)
	cfg := DefaultConfig()
	rs, _, err := LoadConfig(cfg, dir)
	if err != nil {
		t.Fatal(err)
	}
	byFile := map[string]*compiledRule{}
	for _, cr := range rs.rules {
		rel, _ := filepath.Rel(dir, cr.rule.File)
		byFile[rel] = cr
	}
	tested := 0
	for _, row := range rows {
		if row.verdict != "yes" {
			continue
		}
		t.Run(strings.TrimSuffix(filepath.Base(row.path), ".yml"), func(t *testing.T) {
			cr := byFile[row.path]
			if cr == nil {
				t.Fatalf("%s did not compile", row.path)
			}
			pos, neg, err := genPair(rs, cr)
			if err != nil {
				t.Fatalf("%s: %v", row.path, err)
			}
			for _, tc := range []struct {
				name string
				rec  map[string]any
				want bool
			}{{"match", pos, true}, {"nomatch", neg, false}} {
				got := ruleMatches(t, rs, cr, tc.rec)
				js, _ := json.Marshal(tc.rec)
				if got != tc.want {
					t.Errorf("%s record %s: engine says %v, want %v", tc.name, js, got, tc.want)
				}
				o, err := oracleMatch(cr.rule, cfg, tc.rec)
				if err != nil && !errors.Is(err, errOracle) {
					t.Fatalf("oracle: %v", err)
				}
				if err == nil && o != tc.want {
					t.Errorf("%s record %s: reference evaluator says %v, want %v", tc.name, js, o, tc.want)
				}
			}
			tested++
		})
	}
	if tested == 0 {
		t.Fatal("no yes-rule tested")
	}
	t.Logf("%d pcap_evaluable=yes rules: matching and non-matching records checked", tested)
}

// ruleMatches evaluates one rule over one record.
func ruleMatches(t testing.TB, rs *Ruleset, cr *compiledRule, rec map[string]any) bool {
	t.Helper()
	tb := buildTable(t, cr.route.rt, []map[string]any{rec})
	for _, m := range rs.MatchTable(cr.route.rt, tb) {
		if m.RuleID == cr.id {
			return true
		}
	}
	return false
}
