package text

import (
	"testing"
	"unicode/utf8"
)

func FuzzString(f *testing.F) {
	for _, s := range []string{"", "abc", "\x00\xff", "caf\xc3\xa9", "\xed\xa0\x80"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		s := String(b)
		if !utf8.ValidString(s) {
			t.Fatalf("String(%q) = %q, not valid UTF-8", b, s)
		}
		for i := 0; i < len(s); i++ {
			if c := s[i]; c < 0x20 || c == 0x7f {
				t.Fatalf("String(%q) = %q keeps control byte %#x", b, s, c)
			}
		}
		if Valid(b) != (s == string(b)) {
			t.Fatalf("Valid(%q) = %v but String changed it to %q", b, Valid(b), s)
		}
	})
}
