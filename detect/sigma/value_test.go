package sigma

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"
)

func lit(s string) strTok { return strTok{tokLit, s} }

var (
	star = strTok{kind: tokStar}
	one  = strTok{kind: tokOne}
)

// TestParsePatternEscaping uses the vectors of specs/sigma.md section 2.3,
// which come from pySigma on real SigmaHQ values. Inputs are the strings
// after YAML unquoting (single-quoted YAML keeps backslashes).
func TestParsePatternEscaping(t *testing.T) {
	tests := []struct {
		in   string
		want pattern
	}{
		{`\\\*\IPC$`, pattern{lit(`\*\IPC$`)}},
		{`\\\\\*\\IPC$`, pattern{lit(`\\*\IPC$`)}},
		{`\\x00`, pattern{lit(`\x00`)}},
		{`momyshark\?key=`, pattern{lit(`momyshark?key=`)}},
		{`C:\Windows\\*`, pattern{lit(`C:\Windows\`), star}},
		{`\\\\.\pipe\\`, pattern{lit(`\\.\pipe\`)}},
		{`\\*`, pattern{lit(`\`), star}},
		{`\\\*`, pattern{lit(`\*`)}},
		{`\\\\`, pattern{lit(`\\`)}},
		{`trailing\`, pattern{lit(`trailing\`)}},
		{`a*b?c`, pattern{lit("a"), star, lit("b"), one, lit("c")}},
		{`/a.php?id=`, pattern{lit("/a.php"), one, lit("id=")}},
		{`*`, pattern{star}},
		{``, nil},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got := parsePattern(tc.in)
			if diff := cmp.Diff(got, tc.want, cmp.AllowUnexported(strTok{})); diff != "" {
				t.Errorf("parsePattern(%q) (-got, +want):\n%s", tc.in, diff)
			}
			// String must render a value that parses back to the same pattern.
			if diff := cmp.Diff(parsePattern(got.String()), tc.want, cmp.AllowUnexported(strTok{})); diff != "" {
				t.Errorf("parsePattern(%q.String()=%q) (-got, +want):\n%s", tc.in, got.String(), diff)
			}
		})
	}
}

// TestSMBPathVectors checks the two Zeek SMB path spellings of section 1.3:
// under pySigma escaping they expect different strings, so one Zeek path
// rendering matches only one of them.
func TestSMBPathVectors(t *testing.T) {
	a := newStrMatcher(parsePattern(`\\\*\IPC$`), false)
	b := newStrMatcher(parsePattern(`\\\\\*\\IPC$`), false)
	for _, tc := range []struct {
		path  string
		wantA bool
		wantB bool
	}{
		{`\*\ipc$`, true, false},
		{`\\*\ipc$`, false, true},
		{`\\server\ipc$`, false, false},
	} {
		if got := a.match(fold(tc.path)); got != tc.wantA {
			t.Errorf(`match(\\\*\IPC$, %q) = %v, want %v`, tc.path, got, tc.wantA)
		}
		if got := b.match(fold(tc.path)); got != tc.wantB {
			t.Errorf(`match(\\\\\*\\IPC$, %q) = %v, want %v`, tc.path, got, tc.wantB)
		}
	}
}

func TestStrMatcher(t *testing.T) {
	tests := []struct {
		pat   string
		cased bool
		in    string
		want  bool
		op    strOp
	}{
		{"abc", false, "ABC", true, opEq},
		{"abc", true, "ABC", false, opEq},
		{"ab*", false, "ABxyz", true, opPrefix},
		{"*yz", false, "abXYZ", true, opSuffix},
		{"*b*", false, "aBc", true, opContains},
		{"a*c*e", false, "abcde", true, opStars},
		{"a*c*e", false, "abcd", false, opStars},
		{"a*a", false, "a", false, opStars},
		{"a*a", false, "aa", true, opStars},
		{"*a*b", false, "xaxb", true, opStars},
		{"*a*b", false, "xbxa", false, opStars},
		{"a?c", false, "abc", true, opGlob},
		{"a?c", false, "ac", false, opGlob},
		{"a?c", false, "a\u00e9c", true, opGlob}, // ? is one character, not one byte
		{"*", false, "", true, opAny},
		{"", false, "", true, opEq},
		{"", false, "x", false, opEq},
		{"stra\u00dfe", false, "STRA\u00dfE", true, opEq},
	}
	for _, tc := range tests {
		m := newStrMatcher(parsePattern(tc.pat), tc.cased)
		in := tc.in
		if !tc.cased {
			in = fold(in)
		}
		if got := m.match(in); got != tc.want {
			t.Errorf("match(%q, %q) = %v, want %v", tc.pat, tc.in, got, tc.want)
		}
		if m.op != tc.op {
			t.Errorf("newStrMatcher(%q).op = %d, want %d", tc.pat, m.op, tc.op)
		}
	}
}

func TestFold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"abc", "abc"},
		{"ABC", "abc"},
		{"\u212Aelvin", "kelvin"},                    // Kelvin sign
		{"\u017Fqlmap", "sqlmap"},                    // long s
		{"\u03a3\u03c2\u03c3", "\u03c3\u03c3\u03c3"}, // sigma forms
		{"a\xffB", "a\xffb"},                         // invalid UTF-8 kept
	}
	for _, tc := range tests {
		if got := fold(tc.in); got != tc.want {
			t.Errorf("fold(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestWindash(t *testing.T) {
	got, err := windashVariants(parsePattern("-param-1 -param2"), 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 25 {
		t.Fatalf("windash(-param-1 -param2) = %d variants, want 25", len(got))
	}
	var texts []string
	for _, p := range got[:6] {
		texts = append(texts, p.plain())
	}
	want := []string{"-param-1 -param2", "-param-1 /param2", "-param-1 \u2013param2", "-param-1 \u2014param2", "-param-1 \u2015param2", "/param-1 -param2"}
	if diff := cmp.Diff(texts, want); diff != "" {
		t.Errorf("windash variants (-got, +want):\n%s", diff)
	}
	if _, err := windashVariants(parsePattern("-a -b -c -d -e"), 100); !errors.Is(err, ErrLimit) {
		t.Errorf("windash over the limit: err = %v, want ErrLimit", err)
	}
}

func TestBase64Offsets(t *testing.T) {
	if diff := cmp.Diff(base64Offsets("foobar"), []string{"Zm9vYmFy", "Zvb2Jhc", "mb29iYX"}); diff != "" {
		t.Errorf("base64Offsets(foobar) (-got, +want):\n%s", diff)
	}
}

func TestUTF16(t *testing.T) {
	if got := utf16LE("cmd"); got != "c\x00m\x00d\x00" {
		t.Errorf("utf16LE(cmd) = %q", got)
	}
	if got := utf16BE("cmd"); got != "\x00c\x00m\x00d" {
		t.Errorf("utf16BE(cmd) = %q", got)
	}
	// The spec's utf16 (BOM FF FE + UTF-16LE), then base64: //5jAG0AZAA=.
	is := compileItemText(t, "f|utf16|base64", "cmd")
	if got := is.values[0][0].pat.plain(); got != "//5jAG0AZAA=" {
		t.Errorf("utf16|base64(cmd) = %q, want //5jAG0AZAA=", got)
	}
	is = compileItemText(t, "f|wide|base64offset|contains", "ping")
	var got []string
	for _, v := range is.values[0] {
		got = append(got, v.pat.String())
	}
	if diff := cmp.Diff(got, []string{"*cABpAG4AZw*", "*AAaQBuAGcA*", "*wAGkAbgBnA*"}); diff != "" {
		t.Errorf("wide|base64offset|contains(ping) (-got, +want):\n%s", diff)
	}
}

func compileItemText(t *testing.T, key, value string) *itemSpec {
	t.Helper()
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(value), &n); err != nil {
		t.Fatal(err)
	}
	v, err := scalarValue(n.Content[0])
	if err != nil {
		t.Fatal(err)
	}
	fieldName, mods := key, []string(nil)
	if i := indexByte(key, '|'); i >= 0 {
		fieldName = key[:i]
		mods = append(mods, splitBar(key[i+1:])...)
	}
	is, _, err := compileItem(&Item{Field: fieldName, Modifiers: mods, Values: []Value{v}}, DefaultConfig())
	if err != nil {
		t.Fatalf("compileItem(%s: %s): %v", key, value, err)
	}
	return is
}

func indexByte(s string, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return -1
}

func splitBar(s string) []string {
	var out []string
	for {
		i := indexByte(s, '|')
		if i < 0 {
			return append(out, s)
		}
		out = append(out, s[:i])
		s = s[i+1:]
	}
}

// TestScalarResolution checks YAML 1.1 (PyYAML) typing of plain scalars.
func TestScalarResolution(t *testing.T) {
	tests := []struct {
		yaml string
		kind ValueKind
		text string
	}{
		{"00000429", KindString, "00000429"},
		{"'00000429'", KindString, "00000429"},
		{"429", KindNumber, "429"},
		{"0x10", KindNumber, "16"},
		{"0755", KindNumber, "493"},
		{"1_000", KindNumber, "1000"},
		{"1.5", KindNumber, "1.5"},
		{"1e5", KindString, "1e5"},
		{"2023-01-01", KindString, "2023-01-01"},
		{"true", KindBool, "true"},
		{"'true'", KindString, "true"},
		{"on", KindBool, "true"},
		{"No", KindBool, "false"},
		{"null", KindNull, ""},
		{"~", KindNull, ""},
		{"''", KindString, ""},
		{"!!str 12", KindString, "12"},
		{"!!int '12'", KindNumber, "12"},
		{"99999999999999999999", KindNumber, "100000000000000000000"},
	}
	for _, tc := range tests {
		var n yaml.Node
		if err := yaml.Unmarshal([]byte("k: "+tc.yaml), &n); err != nil {
			t.Fatalf("%s: %v", tc.yaml, err)
		}
		v, err := scalarValue(n.Content[0].Content[1])
		if err != nil {
			t.Fatalf("scalarValue(%s): %v", tc.yaml, err)
		}
		if v.Kind != tc.kind || v.Text() != tc.text {
			t.Errorf("scalarValue(%s) = %s %q, want %s %q", tc.yaml, v.Kind, v.Text(), tc.kind, tc.text)
		}
	}
}

func TestParseCIDR(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr bool
	}{
		{"10.0.0.0/8", "10.0.0.0/8", false},
		{"10.1.0.0/8", "", true}, // host bits set: pySigma's strict ip_network rejects it
		{"192.168.1.1", "192.168.1.1/32", false},
		{"::1/128", "::1/128", false},
		{"fc00::/7", "fc00::/7", false},
		{"2620:83:8000::/48", "2620:83:8000::/48", false},
		{"not-an-ip", "", true},
	}
	for _, tc := range tests {
		p, err := parseCIDR(tc.in)
		if (err != nil) != tc.wantErr {
			t.Errorf("parseCIDR(%q) error = %v, want error %v", tc.in, err, tc.wantErr)
			continue
		}
		if err == nil && p.String() != tc.want {
			t.Errorf("parseCIDR(%q) = %s, want %s", tc.in, p, tc.want)
		}
	}
}
