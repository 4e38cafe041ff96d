package tls

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"
)

// JA3String returns the string JA3 hashes for a ClientHello:
// "Version,Ciphers,Extensions,Groups,PointFormats" with Version the
// legacy_version, values in decimal and packet order joined by "-", GREASE
// dropped, and an empty field for a missing list.
func JA3String(ch *ClientHello) string {
	var b strings.Builder
	b.WriteString(strconv.Itoa(int(ch.Version)))
	b.WriteByte(',')
	joinDec(&b, ch.CipherSuites)
	b.WriteByte(',')
	joinDec(&b, ch.Extensions)
	b.WriteByte(',')
	joinDec(&b, ch.SupportedGroups)
	b.WriteByte(',')
	for i, f := range ch.ECPointFormats {
		if i > 0 {
			b.WriteByte('-')
		}
		b.WriteString(strconv.Itoa(int(f)))
	}
	return b.String()
}

// JA3SString returns the string JA3S hashes for a ServerHello:
// "Version,Cipher,Extensions", Version being the legacy_version.
func JA3SString(sh *ServerHello) string {
	var b strings.Builder
	b.WriteString(strconv.Itoa(int(sh.Version)))
	b.WriteByte(',')
	b.WriteString(strconv.Itoa(int(sh.CipherSuite)))
	b.WriteByte(',')
	joinDec(&b, sh.Extensions)
	return b.String()
}

// MD5Hex is the lower-case hex MD5 digest JA3 and JA3S use.
func MD5Hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

func joinDec(b *strings.Builder, v []uint16) {
	first := true
	for _, x := range v {
		if isGREASE(x) {
			continue
		}
		if !first {
			b.WriteByte('-')
		}
		first = false
		b.WriteString(strconv.Itoa(int(x)))
	}
}

// Transport markers for JA4's first character.
const (
	JA4TCP  = 't'
	JA4QUIC = 'q'
	JA4DTLS = 'd'
)

// JA4 returns FoxIO's JA4 client fingerprint of ch
// (technical_details/JA4.md): transport marker, version, SNI marker, cipher
// and extension counts, ALPN characters, then the truncated SHA-256 of the
// sorted cipher list and of the sorted extension list followed by the
// signature algorithms.
func JA4(ch *ClientHello, transport byte) string {
	a, ciphers, exts := ja4Parts(ch, transport)
	return a + "_" + truncatedHash(ciphers) + "_" + truncatedHash(exts)
}

// ja4Parts returns the JA4 prefix and the two strings it hashes (JA4_r).
func ja4Parts(ch *ClientHello, transport byte) (prefix, ciphers, extsSigs string) {
	cs := withoutGREASE(ch.CipherSuites)
	exts := withoutGREASE(ch.Extensions)
	var b strings.Builder
	b.WriteByte(transport)
	b.WriteString(ja4Version(ch))
	if ch.HasSNI {
		b.WriteByte('d')
	} else {
		b.WriteByte('i')
	}
	twoDigits(&b, len(cs))
	twoDigits(&b, len(exts))
	b.WriteString(ja4ALPN(ch.ALPN))

	slices.Sort(cs)
	sorted := exts[:0]
	for _, e := range exts {
		if e != extServerName && e != extALPN {
			sorted = append(sorted, e)
		}
	}
	slices.Sort(sorted)
	extsSigs = hexList(sorted)
	if sigs := withoutGREASE(ch.SignatureAlgorithms); len(extsSigs) > 0 && len(sigs) > 0 {
		extsSigs += "_" + hexList(sigs)
	}
	return b.String(), hexList(cs), extsSigs
}

func ja4Version(ch *ClientHello) string {
	v := ch.Version
	if ch.SupportedVersions != nil {
		best := uint16(0)
		for _, x := range ch.SupportedVersions {
			if !isGREASE(x) && ja4VersionRank(x) > ja4VersionRank(best) {
				best = x
			}
		}
		if best != 0 {
			v = best
		}
	}
	switch v {
	case VersionTLS13:
		return "13"
	case VersionTLS12:
		return "12"
	case VersionTLS11:
		return "11"
	case VersionTLS10:
		return "10"
	case VersionSSL3:
		return "s3"
	case VersionSSL2:
		return "s2"
	case VersionDTLS1:
		return "d1"
	case VersionDTLS2:
		return "d2"
	case VersionDTLS3:
		return "d3"
	}
	return "00"
}

// ja4VersionRank orders versions by recency; DTLS counts down from 0xfeff,
// so "highest" cannot be the numeric maximum there.
func ja4VersionRank(v uint16) int {
	switch v {
	case VersionDTLS1:
		return 0x0302
	case VersionDTLS2:
		return 0x0303
	case VersionDTLS3:
		return 0x0304
	}
	if v >= 0xfe00 {
		return 0
	}
	return int(v)
}

func twoDigits(b *strings.Builder, n int) {
	n = min(n, 99)
	b.WriteByte(byte('0' + n/10))
	b.WriteByte(byte('0' + n%10))
}

func alnum(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// ja4ALPN gives the first and last characters of the first ALPN value, or
// "00" when there is none; when either end is not alphanumeric, the first
// and last hex digits of the value instead. A one-byte value is both first
// and last.
func ja4ALPN(alpn []string) string {
	if len(alpn) == 0 || len(alpn[0]) == 0 {
		return "00"
	}
	v := alpn[0]
	first, last := v[0], v[len(v)-1]
	if alnum(first) && alnum(last) {
		return string([]byte{first, last})
	}
	const digits = "0123456789abcdef"
	return string([]byte{digits[first>>4], digits[last&0xf]})
}

func hexList(v []uint16) string {
	const digits = "0123456789abcdef"
	b := make([]byte, 0, len(v)*5)
	for i, x := range v {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, digits[x>>12], digits[x>>8&0xf], digits[x>>4&0xf], digits[x&0xf])
	}
	return string(b)
}

func truncatedHash(s string) string {
	if s == "" {
		return "000000000000"
	}
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:6])
}
