package text

import "unicode/utf8"

const hexDigits = "0123456789abcdef"

// needsEscape reports whether b contains a byte that Append would rewrite.
// Most strings from traffic are plain printable ASCII; checking first lets
// String return them with a single allocation.
func needsEscape(b []byte, lines bool) bool {
	for i := 0; i < len(b); {
		c := b[i]
		if c >= 0x20 && c < 0x7f {
			i++
			continue
		}
		if c < 0x80 {
			if lines && (c == '\t' || c == '\r' || c == '\n') {
				i++
				continue
			}
			return true
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return true
		}
		i += n
	}
	return false
}

func appendEscaped(dst, b []byte, lines bool) []byte {
	for i := 0; i < len(b); {
		c := b[i]
		if c >= 0x20 && c < 0x7f {
			// Copy the whole printable run at once.
			j := i + 1
			for j < len(b) && b[j] >= 0x20 && b[j] < 0x7f {
				j++
			}
			dst = append(dst, b[i:j]...)
			i = j
			continue
		}
		if c < 0x80 {
			if lines && (c == '\t' || c == '\r' || c == '\n') {
				dst = append(dst, c)
			} else {
				dst = append(dst, '\\', 'x', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			dst = append(dst, '\\', 'x', hexDigits[c>>4], hexDigits[c&0xf])
			i++
			continue
		}
		dst = append(dst, b[i:i+n]...)
		i += n
	}
	return dst
}

// Append appends the escaped form of b to dst.
func Append(dst, b []byte) []byte { return appendEscaped(dst, b, false) }

// AppendLines is Append for multi-line text such as an HTTP request head:
// tab, CR and LF are kept so that the text still reads as it was sent.
func AppendLines(dst, b []byte) []byte { return appendEscaped(dst, b, true) }

// String returns the escaped form of b as a new string.
func String(b []byte) string {
	if !needsEscape(b, false) {
		return string(b)
	}
	return string(appendEscaped(make([]byte, 0, len(b)+16), b, false))
}

// Valid reports whether b would be stored unchanged by Append.
func Valid(b []byte) bool { return !needsEscape(b, false) }
