package tls

import "strconv"

// Protocol versions.
const (
	VersionSSL2  = 0x0002
	VersionSSL3  = 0x0300
	VersionTLS10 = 0x0301
	VersionTLS11 = 0x0302
	VersionTLS12 = 0x0303
	VersionTLS13 = 0x0304
	VersionDTLS1 = 0xfeff
	VersionDTLS2 = 0xfefd
	VersionDTLS3 = 0xfefc
)

// VersionName returns the name Zeek's ssl.log gives a protocol version:
// "TLSv12", "TLSv13", "SSLv3", "TLSv13-draftN" for the drafts, and
// "unknown-N" otherwise.
func VersionName(v uint16) string {
	switch v {
	case VersionSSL2:
		return "SSLv2"
	case VersionSSL3:
		return "SSLv3"
	case VersionTLS10:
		return "TLSv10"
	case VersionTLS11:
		return "TLSv11"
	case VersionTLS12:
		return "TLSv12"
	case VersionTLS13:
		return "TLSv13"
	case VersionDTLS1:
		return "DTLSv10"
	case VersionDTLS2:
		return "DTLSv12"
	case VersionDTLS3:
		return "DTLSv13"
	}
	// Zeek's formula, kept as it is: 0x7fNN is draft NN.
	if v/0xff == 0x7f {
		return "TLSv13-draft" + strconv.Itoa(int(v%0x7f))
	}
	return "unknown-" + strconv.Itoa(int(v))
}

// CipherName returns the cipher suite's name as Zeek's ssl.log spells it,
// or "unknown-N".
func CipherName(c uint16) string {
	if s, ok := cipherNames[c]; ok {
		return s
	}
	if isGREASE(c) {
		const hex = "0123456789ABCDEF"
		return "grease_0x" + string([]byte{hex[c>>12], hex[c>>8&0xf], hex[c>>4&0xf], hex[c&0xf]})
	}
	return "unknown-" + strconv.Itoa(int(c))
}

// curveNames follows Zeek's SSL::ec_curves, the IANA Supported Groups
// registry with Zeek's spelling.
var curveNames = map[uint16]string{
	1: "sect163k1", 2: "sect163r1", 3: "sect163r2", 4: "sect193r1", 5: "sect193r2",
	6: "sect233k1", 7: "sect233r1", 8: "sect239k1", 9: "sect283k1", 10: "sect283r1",
	11: "sect409k1", 12: "sect409r1", 13: "sect571k1", 14: "sect571r1", 15: "secp160k1",
	16: "secp160r1", 17: "secp160r2", 18: "secp192k1", 19: "secp192r1", 20: "secp224k1",
	21: "secp224r1", 22: "secp256k1", 23: "secp256r1", 24: "secp384r1", 25: "secp521r1",
	26: "brainpoolP256r1", 27: "brainpoolP384r1", 28: "brainpoolP512r1", 29: "x25519",
	30: "x448", 31: "brainpoolP256r1tls13", 32: "brainpoolP384r1tls13",
	33: "brainpoolP512r1tls13", 34: "GC256A", 35: "GC256B", 36: "GC256C", 37: "GC256D",
	38: "GC512A", 39: "GC512B", 40: "GC512C", 41: "curveSM2", 256: "ffdhe2048",
	257: "ffdhe3072", 258: "ffdhe4096", 259: "ffdhe6144", 260: "ffdhe8192",
	512: "MLKEM512", 513: "MLKEM768", 514: "MLKEM1024", 4587: "SecP256r1MLKEM768",
	4588: "X25519MLKEM768", 4589: "SecP384r1MLKEM1024", 4590: "curveSM2MLKEM768",
	16696: "CECPQ2", 25497: "X25519Kyber768Draft00", 25498: "SecP256r1Kyber768Draft00",
	0xff01: "arbitrary_explicit_prime_curves", 0xff02: "arbitrary_explicit_char2_curves",
}

// CurveName returns the supported group's name as Zeek's ssl.log spells it
// ("x25519", "secp256r1", "X25519MLKEM768", ...), or "unknown-N".
func CurveName(g uint16) string {
	if s, ok := curveNames[g]; ok {
		return s
	}
	return "unknown-" + strconv.Itoa(int(g))
}

// isGREASE reports whether v is one of the 16 GREASE values of RFC 8701
// (0x0a0a, 0x1a1a, ..., 0xfafa).
func isGREASE(v uint16) bool { return v&0x0f0f == 0x0a0a && v>>8 == v&0xff }
