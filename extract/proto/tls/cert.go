package tls

import (
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"math/big"
	"strings"
	"time"

	"flowsift/extract/proto/text"
)

// Certificate holds what tls.parquet keeps of the server's leaf certificate.
type Certificate struct {
	// Subject and Issuer are RFC 4514 strings in the certificate's own
	// attribute order (last RDN first), escaped as package text does.
	Subject string
	Issuer  string
	// NotBefore and NotAfter are nil when the lenient parser could not read
	// them.
	NotBefore *time.Time
	NotAfter  *time.Time
	// Serial is the serial number in upper-case hex, two digits per byte of
	// its magnitude, "-" first when negative (as OpenSSL and Zeek print it).
	Serial string
	// SANDNS lists the DNS names of the subjectAltName extension; empty, not
	// nil, when there are none.
	SANDNS []string
	// Lenient is set when crypto/x509 rejected the certificate and the
	// lenient TBSCertificate walk read it.
	Lenient bool
}

// Fingerprint returns the lower-case hex SHA-256 of a DER certificate, as
// Zeek's cert_chain_fps holds it.
func Fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	return hex.EncodeToString(sum[:])
}

// ParseCertificate reads a DER certificate with crypto/x509, falling back
// to a lenient walk of the TBSCertificate for certificates seen in the wild
// that crypto/x509 rejects. It reports false when neither can read it.
func ParseCertificate(der []byte) (*Certificate, bool) {
	if c, err := x509.ParseCertificate(der); err == nil {
		out := &Certificate{
			Subject:   rdnString(c.RawSubject),
			Issuer:    rdnString(c.RawIssuer),
			NotBefore: &c.NotBefore,
			NotAfter:  &c.NotAfter,
			Serial:    serialHex(c.SerialNumber),
			SANDNS:    make([]string, 0, len(c.DNSNames)),
		}
		for _, n := range c.DNSNames {
			out.SANDNS = append(out.SANDNS, text.String([]byte(n)))
		}
		return out, true
	}
	return lenientCertificate(der)
}

func serialHex(n *big.Int) string {
	const digits = "0123456789ABCDEF"
	mag := new(big.Int).Abs(n).Bytes()
	if len(mag) == 0 {
		mag = []byte{0}
	}
	var b strings.Builder
	if n.Sign() < 0 {
		b.WriteByte('-')
	}
	for _, c := range mag {
		b.WriteByte(digits[c>>4])
		b.WriteByte(digits[c&0xf])
	}
	return b.String()
}

// rdnString renders a DER Name as RFC 4514 text in the order it was
// encoded. encoding/asn1 handles the string types; when it refuses a Name
// (an odd string type, bad UTF-8), a walk of the raw structure renders the
// values as they are.
func rdnString(raw []byte) string {
	var rdns pkix.RDNSequence
	if rest, err := asn1.Unmarshal(raw, &rdns); err == nil && len(rest) == 0 {
		return text.String([]byte(rdns.String()))
	}
	return rawRDNString(raw)
}

var attrNames = map[string]string{
	"2.5.4.3": "CN", "2.5.4.5": "SERIALNUMBER", "2.5.4.6": "C", "2.5.4.7": "L", "2.5.4.8": "ST",
	"2.5.4.9": "STREET", "2.5.4.10": "O", "2.5.4.11": "OU", "2.5.4.17": "POSTALCODE",
	"0.9.2342.19200300.100.1.25": "DC", "0.9.2342.19200300.100.1.1": "UID",
}

func rawRDNString(raw []byte) string {
	tag, seq, _, ok := tlv(raw)
	if !ok || tag != 0x30 {
		return ""
	}
	var parts []string
	for len(seq) > 0 {
		var set []byte
		tag, set, seq, ok = tlv(seq)
		if !ok || tag != 0x31 {
			break
		}
		var atvs []string
		for len(set) > 0 {
			var atv []byte
			tag, atv, set, ok = tlv(set)
			if !ok || tag != 0x30 {
				break
			}
			_, oidBytes, rest, ok1 := tlv(atv)
			_, val, _, ok2 := tlv(rest)
			if !ok1 || !ok2 {
				break
			}
			name := oidString(oidBytes)
			if short, ok := attrNames[name]; ok {
				name = short
			}
			atvs = append(atvs, name+"="+escapeRDNValue(string(val)))
		}
		parts = append(parts, strings.Join(atvs, "+"))
	}
	// RFC 4514 writes the last RDN first.
	for i, j := 0, len(parts)-1; i < j; i, j = i+1, j-1 {
		parts[i], parts[j] = parts[j], parts[i]
	}
	return text.String([]byte(strings.Join(parts, ",")))
}

// escapeRDNValue applies RFC 4514 section 2.4 escaping.
func escapeRDNValue(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ',' || c == '+' || c == '"' || c == '\\' || c == '<' || c == '>' || c == ';':
			b.WriteByte('\\')
		case (c == ' ' || c == '#') && i == 0, c == ' ' && i == len(s)-1:
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
	return b.String()
}

func oidString(b []byte) string {
	var oid asn1.ObjectIdentifier
	if _, err := asn1.Unmarshal(append([]byte{0x06, byte(len(b))}, b...), &oid); err != nil || len(b) > 127 {
		return "#" + hex.EncodeToString(b)
	}
	return oid.String()
}

// tlv splits one DER element with a one-byte tag off b.
func tlv(b []byte) (tag byte, content, rest []byte, ok bool) {
	if len(b) < 2 {
		return 0, nil, nil, false
	}
	tag = b[0]
	l := int(b[1])
	off := 2
	if l&0x80 != 0 {
		n := l & 0x7f
		if n == 0 || n > 4 || len(b) < 2+n {
			return 0, nil, nil, false
		}
		l = 0
		for _, c := range b[2 : 2+n] {
			l = l<<8 | int(c)
		}
		off += n
	}
	if l < 0 || len(b)-off < l {
		return 0, nil, nil, false
	}
	return tag, b[off : off+l], b[off+l:], true
}

var oidSAN = []byte{0x55, 0x1d, 0x11} // 2.5.29.17

// lenientCertificate reads serial, names, validity and DNS SANs from the
// TBSCertificate without the checks crypto/x509 applies to the rest.
func lenientCertificate(der []byte) (*Certificate, bool) {
	tag, certSeq, _, ok := tlv(der)
	if !ok || tag != 0x30 {
		return nil, false
	}
	tag, tbs, _, ok := tlv(certSeq)
	if !ok || tag != 0x30 {
		return nil, false
	}
	next := func() (byte, []byte, []byte) {
		if !ok {
			return 0, nil, nil
		}
		start := tbs
		var t byte
		var c []byte
		t, c, tbs, ok = tlv(tbs)
		if !ok {
			return 0, nil, nil
		}
		return t, c, start[:len(start)-len(tbs)]
	}
	t, serial, _ := next()
	if t == 0xa0 { // explicit version
		t, serial, _ = next()
	}
	if !ok || t != 0x02 {
		return nil, false
	}
	next() // signature algorithm
	_, _, issuer := next()
	_, validity, _ := next()
	_, _, subject := next()
	next() // subject public key info
	if !ok {
		return nil, false
	}
	c := &Certificate{
		Serial:  serialHex(new(big.Int).SetBytes(serial)),
		Issuer:  rdnString(issuer),
		Subject: rdnString(subject),
		SANDNS:  []string{},
		Lenient: true,
	}
	if len(serial) > 0 && serial[0]&0x80 != 0 {
		// Two's complement negative serial.
		v := new(big.Int).SetBytes(serial)
		v.Sub(v, new(big.Int).Lsh(big.NewInt(1), uint(8*len(serial))))
		c.Serial = serialHex(v)
	}
	if tt, nb, rest, ok1 := tlv(validity); ok1 {
		c.NotBefore = parseASN1Time(tt, nb)
		if tt, na, _, ok2 := tlv(rest); ok2 {
			c.NotAfter = parseASN1Time(tt, na)
		}
	}
	for len(tbs) > 0 {
		t, body, rest, ok1 := tlv(tbs)
		if !ok1 {
			break
		}
		tbs = rest
		if t == 0xa3 {
			c.SANDNS = append(c.SANDNS, sanDNS(body)...)
		}
	}
	return c, true
}

func sanDNS(extsWrapper []byte) []string {
	var out []string
	_, exts, _, ok := tlv(extsWrapper)
	for ok && len(exts) > 0 {
		var ext []byte
		_, ext, exts, ok = tlv(exts)
		if !ok {
			break
		}
		_, oid, rest, ok1 := tlv(ext)
		if !ok1 || string(oid) != string(oidSAN) {
			continue
		}
		t, v, rest2, ok2 := tlv(rest)
		if ok2 && t == 0x01 { // critical flag
			t, v, _, ok2 = tlv(rest2)
		}
		if !ok2 || t != 0x04 {
			continue
		}
		_, names, _, ok3 := tlv(v)
		for ok3 && len(names) > 0 {
			var gt byte
			var gv []byte
			gt, gv, names, ok3 = tlv(names)
			if ok3 && gt == 0x82 {
				out = append(out, text.String(gv))
			}
		}
	}
	return out
}

// parseASN1Time reads UTCTime and GeneralizedTime in the forms certificates
// use, with and without seconds, "Z" or a numeric offset.
func parseASN1Time(tag byte, v []byte) *time.Time {
	var layouts []string
	switch tag {
	case 0x17:
		layouts = []string{"060102150405Z0700", "0601021504Z0700"}
	case 0x18:
		layouts = []string{"20060102150405Z0700", "20060102150405.999999999Z0700", "200601021504Z0700"}
	default:
		return nil
	}
	for _, l := range layouts {
		if t, err := time.Parse(l, string(v)); err == nil {
			t = t.UTC()
			if tag == 0x17 && t.Year() >= 2050 {
				t = t.AddDate(-100, 0, 0)
			}
			return &t
		}
	}
	return nil
}
