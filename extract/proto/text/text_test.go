package text

import (
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

func TestString(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"empty", "", ""},
		{"ascii", "www.example.com", "www.example.com"},
		{"nul", "a\x00b", `a\x00b`},
		{"controls", "\t\r\n\x1f\x7f", `\x09\x0d\x0a\x1f\x7f`},
		{"valid two-byte", "caf\xc3\xa9", "café"},
		{"valid four-byte", "\xf0\x9f\x98\x80", "😀"},
		{"lone continuation", "\x80", `\x80`},
		{"truncated sequence", "a\xc3", `a\xc3`},
		{"overlong", "\xc0\x81", `\xc0\x81`},
		{"invalid then ascii", "\xc3\x28", `\xc3(`},
		{"surrogate", "\xed\xa0\x80", `\xed\xa0\x80`},
		{"backslash kept", `a\b`, `a\b`},
		{"upper hex lowered", "\xff\xfe", `\xff\xfe`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := String([]byte(tt.in))
			if diff := cmp.Diff(got, tt.want); diff != "" {
				t.Errorf("String(%q) (-got, +want):\n%s", tt.in, diff)
			}
			if !utf8.ValidString(got) {
				t.Errorf("String(%q) = %q, not valid UTF-8", tt.in, got)
			}
			if gotValid, wantValid := Valid([]byte(tt.in)), tt.in == tt.want; gotValid != wantValid {
				t.Errorf("Valid(%q) = %v, want %v", tt.in, gotValid, wantValid)
			}
		})
	}
}

func TestAppendLines(t *testing.T) {
	got := string(AppendLines([]byte("x:"), []byte("GET / HTTP/1.1\r\nA:\tb\x00\r\n")))
	want := "x:GET / HTTP/1.1\r\nA:\tb\\x00\r\n"
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("AppendLines() (-got, +want):\n%s", diff)
	}
}
