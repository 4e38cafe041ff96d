package sigma

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// maxFuzzInput keeps single executions fast; real rules are far smaller.
const maxFuzzInput = 16 << 10

func addRuleSeeds(f *testing.F) {
	for _, pat := range []string{"../../sigma_rules/*.yml", "testdata/*/rule.yml"} {
		files, _ := filepath.Glob(pat)
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err == nil {
				f.Add(data)
			}
		}
	}
	f.Add([]byte(ruleHead + "logsource: {category: proxy}\ndetection:\n  sel:\n    c-uri|contains|all: ['a*b', 'c?d']\n  kw: ['x', 1, null]\n  condition: sel or not 1 of k* | count() by src_ip > 3\n  timeframe: 1m\n"))
	f.Add([]byte("title: t\ncorrelation: {type: value_percentile, rules: [a], group-by: [x], timespan: 1m, condition: {gte: 1, field: f, percentile: 50}}\n"))
	f.Add([]byte("a: &x [*x, *x]\n"))
}

// valueEqual compares values as Sigma sees them.
var valueEqual = cmp.Comparer(func(a, b Value) bool {
	if a.Kind != b.Kind || a.Text() != b.Text() {
		return false
	}
	return a.Kind != KindString || a.Raw == b.Raw
})

var astOpts = cmp.Options{
	valueEqual,
	cmpopts.IgnoreTypes(Pos{}),
	cmpopts.IgnoreFields(Rule{}, "Warnings"),
	cmpopts.IgnoreFields(Correlation{}, "Warnings"),
	cmpopts.IgnoreFields(IdentExpr{}, "Offset"),
	cmpopts.IgnoreFields(SelectorExpr{}, "Offset"),
	cmpopts.IgnoreUnexported(Correlation{}),
	cmpopts.EquateEmpty(),
}

// FuzzParseRule: parsing never panics, every error is a RuleError wrapping
// a sentinel, a parsed document formats to YAML that parses to an equal
// document, and compiling, evaluating and translating never panic.
func FuzzParseRule(f *testing.F) {
	addRuleSeeds(f)
	tables := map[RecordType][]map[string]any{
		HTTP:  {{"uri": "/a?b=c", "host": "h", "method": "GET", "request_head": "GET /a HTTP/1.1", "status_code": int64(200), "client_header_names": []any{"HOST"}}, {}},
		DNS:   {{"query": "x.example", "answers": []any{"1.2.3.4"}, "TTLs": []any{int64(5)}, "rejected": true, "ts": "2024-01-01T00:00:00Z"}},
		Flows: {{"orig_h": "10.0.0.1", "resp_h": "::1", "resp_p": int64(22), "conn_state": "SF", "ip_version": int64(4), "duration": 1.5}},
		TLS:   {{"ja3": "abc", "client_ciphers": []any{int64(1), int64(2)}}},
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > maxFuzzInput {
			return
		}
		docs := Parse("fuzz.yml", data)
		for _, d := range docs {
			if d.Err != nil {
				var re *RuleError
				if !errors.As(d.Err, &re) {
					t.Fatalf("error %v (%T) is not a RuleError", d.Err, d.Err)
				}
				if !errors.Is(d.Err, ErrSyntax) && !errors.Is(d.Err, ErrInvalid) && !errors.Is(d.Err, ErrUnsupported) && !errors.Is(d.Err, ErrLimit) {
					t.Fatalf("error %v wraps no sentinel", d.Err)
				}
				continue
			}
			out, err := Format(d)
			if err != nil {
				t.Fatalf("Format: %v", err)
			}
			again := Parse("fuzz.yml", out)
			if len(again) != 1 || again[0].Err != nil {
				t.Fatalf("formatted document does not parse: %v\n%s", again[0].Err, out)
			}
			if diff := cmp.Diff(again[0].Rule, d.Rule, astOpts); diff != "" {
				t.Fatalf("format round trip (-got, +want):\n%s\n%s", diff, out)
			}
			if diff := cmp.Diff(again[0].Correlation, d.Correlation, astOpts); diff != "" {
				t.Fatalf("format round trip (-got, +want):\n%s\n%s", diff, out)
			}
		}
		cfg := DefaultConfig()
		cfg.HostRemap = true
		cfg.Placeholders = map[string][]string{"Servers": {"10.0.0.1"}}
		rs, _ := Compile(cfg, docs)
		ev := rs.NewEvaluator()
		for rt, rows := range tables {
			tb, err := makeTable(rt, rows)
			if err != nil {
				t.Fatal(err)
			}
			rs.MatchTable(rt, tb)
			if err := ev.Add(rt, tb); err != nil && !errors.Is(err, ErrLimit) {
				t.Fatal(err)
			}
		}
		if _, err := ev.Alerts(); err != nil {
			t.Fatal(err)
		}
		for _, q := range rs.SQL("/d") {
			if q.Err != nil && !errors.Is(q.Err, ErrNoSQL) {
				t.Fatalf("SQL error %v does not wrap ErrNoSQL", q.Err)
			}
		}
	})
}

// FuzzParseCondition: no panic, errors are ConditionErrors with an offset
// inside the text, and a parsed expression prints to text that parses to
// the same tree.
func FuzzParseCondition(f *testing.F) {
	for _, s := range []string{
		"selection", "sel and not filter", "1 of selection_* and not 1 of filter_*", "all of them",
		"(a or b) and not (c or d)", "not not a", "a and (b or not 1 of f_*)", "any of x*y*", "a AND b",
		"((((a))))", "1 of", "a or", "(a", "a)", "sel | count() > 5", "sel-1 and _x", "1 and all",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > maxFuzzInput {
			return
		}
		e, err := ParseCondition(s)
		if err != nil {
			var ce *ConditionError
			if !errors.As(err, &ce) || !errors.Is(err, ErrSyntax) {
				t.Fatalf("ParseCondition(%q) error %v is not a ConditionError", s, err)
			}
			if ce.Offset < 0 || ce.Offset > len(s) {
				t.Fatalf("ParseCondition(%q) error offset %d outside the text", s, ce.Offset)
			}
			return
		}
		text := e.String()
		again, err := ParseCondition(text)
		if err != nil {
			t.Fatalf("ParseCondition(%q) = %s, which does not parse: %v", s, text, err)
		}
		if diff := cmp.Diff(again, e, astOpts); diff != "" {
			t.Fatalf("ParseCondition(%q) round trip through %q (-got, +want):\n%s", s, text, diff)
		}
	})
}

// FuzzPatternMatch compares the engine's string matchers with the
// reference evaluator's regular expressions on valid UTF-8.
func FuzzPatternMatch(f *testing.F) {
	for _, s := range [][2]string{
		{`a*b?c`, "axxbyc"}, {`\\\*\IPC$`, `\*\ipc$`}, {`*a*a`, "aa"}, {`C:\Windows\\*`, `c:\windows\x`},
		{`stra\u00dfe`, "STRASSE"}, {`\u212A*`, "k"}, {`?`, "\u00e9"}, {`*\?*`, "a?b"}, {``, ``},
	} {
		f.Add(s[0], s[1], false)
		f.Add(s[0], s[1], true)
	}
	f.Fuzz(func(t *testing.T, pat, text string, cased bool) {
		if len(pat) > 256 || len(text) > 1024 || !utf8.ValidString(pat) || !utf8.ValidString(text) {
			return
		}
		m := newStrMatcher(parsePattern(pat), cased)
		in := text
		if !cased {
			in = fold(text)
		}
		got := m.match(in)
		want := oracleRegexp(pat, false, false, false, cased).MatchString(text)
		if got != want {
			t.Fatalf("match(%q, %q, cased=%v) = %v, reference %v", pat, text, cased, got, want)
		}
	})
}
