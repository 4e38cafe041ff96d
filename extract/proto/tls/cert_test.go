package tls

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// testCert creates a self-signed certificate; the signature is random, so
// tests compare fingerprints computed from the DER they get back.
func testCert(t testing.TB, serial int64, subject pkix.Name, dns []string) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatalf("GenerateKey() error = %v", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial),
		Subject:      subject,
		NotBefore:    time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC),
		NotAfter:     time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC),
		DNSNames:     dns,
	}
	parent := &x509.Certificate{Subject: pkix.Name{CommonName: "Test CA", Organization: []string{"Example, Inc."}}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, key)
	if err != nil {
		t.Fatalf("CreateCertificate() error = %v", err)
	}
	return der
}

func tm(s string) *time.Time {
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return &v
}

// rawCert DER-encodes a certificate by hand so that tests can put in what
// crypto/x509 refuses: negative serials, bad strings, odd times.
func rawCert(t *testing.T, serial []byte, issuer, subject []byte, notBefore, notAfter asn1.RawValue, san []string) []byte {
	t.Helper()
	mustMarshal := func(v any) []byte {
		b, err := asn1.Marshal(v)
		if err != nil {
			t.Fatalf("asn1.Marshal() error = %v", err)
		}
		return b
	}
	algo := mustMarshal(pkix.AlgorithmIdentifier{Algorithm: asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}})
	validity := mustMarshal(struct{ A, B asn1.RawValue }{notBefore, notAfter})
	spki := mustMarshal(struct {
		Algo pkix.AlgorithmIdentifier
		Key  asn1.BitString
	}{pkix.AlgorithmIdentifier{Algorithm: asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}}, asn1.BitString{Bytes: []byte{4, 1, 2}, BitLength: 24}})
	var names []asn1.RawValue
	for _, n := range san {
		names = append(names, asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 2, Bytes: []byte(n)})
	}
	sanDER := mustMarshal(names)
	exts := mustMarshal([]pkix.Extension{{Id: asn1.ObjectIdentifier{2, 5, 29, 17}, Value: sanDER}})
	serialTLV := append([]byte{0x02, byte(len(serial))}, serial...)
	tbsBody := join(
		[]byte{0xa0, 3, 2, 1, 2}, serialTLV, algo, issuer, validity, subject, spki,
		append([]byte{0xa3, byte(len(exts))}, exts...))
	tbs := mustMarshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: 16, IsCompound: true, Bytes: tbsBody})
	sig := mustMarshal(asn1.BitString{Bytes: []byte{0}, BitLength: 8})
	return mustMarshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: 16, IsCompound: true, Bytes: join(tbs, algo, sig)})
}

// name builds a DER Name from (oid, tag, value) triples, one RDN each.
func name(t *testing.T, atvs ...any) []byte {
	t.Helper()
	var rdns []byte
	for i := 0; i < len(atvs); i += 3 {
		oid, _ := asn1.Marshal(atvs[i].(asn1.ObjectIdentifier))
		val := append([]byte{byte(atvs[i+1].(int)), byte(len(atvs[i+2].(string)))}, atvs[i+2].(string)...)
		atv := join([]byte{0x30, byte(len(oid) + len(val))}, oid, val)
		rdns = append(rdns, join([]byte{0x31, byte(len(atv))}, atv)...)
	}
	return join([]byte{0x30, byte(len(rdns))}, rdns)
}

func utcTime(s string) asn1.RawValue { return asn1.RawValue{Tag: 23, Bytes: []byte(s)} }

var (
	oidCN = asn1.ObjectIdentifier{2, 5, 4, 3}
	oidO  = asn1.ObjectIdentifier{2, 5, 4, 10}
	oidC  = asn1.ObjectIdentifier{2, 5, 4, 6}
)

func TestParseCertificate(t *testing.T) {
	tests := []struct {
		name string
		der  []byte
		want *Certificate
	}{
		{
			name: "crypto/x509",
			der: testCert(t, 0x0a1b2c, pkix.Name{Country: []string{"US"}, Organization: []string{"Example"}, CommonName: "www.example.com"},
				[]string{"www.example.com", "example.com"}),
			want: &Certificate{Subject: "CN=www.example.com,O=Example,C=US", Issuer: `CN=Test CA,O=Example\, Inc.`,
				NotBefore: tm("2024-01-02T03:04:05Z"), NotAfter: tm("2025-01-02T03:04:05Z"), Serial: "0A1B2C",
				SANDNS: []string{"www.example.com", "example.com"}},
		},
		{
			name: "negative serial, lenient",
			der: rawCert(t, []byte{0xff, 0x01}, name(t, oidC, 19, "DE", oidCN, 12, "Root"), name(t, oidO, 19, "Org", oidCN, 12, "host"),
				utcTime("240102030405Z"), utcTime("491231235959Z"), []string{"a.example", "b.example"}),
			want: &Certificate{Subject: "CN=host,O=Org", Issuer: "CN=Root,C=DE",
				NotBefore: tm("2024-01-02T03:04:05Z"), NotAfter: tm("2049-12-31T23:59:59Z"), Serial: "-FF",
				SANDNS: []string{"a.example", "b.example"}, Lenient: true},
		},
		{
			name: "invalid utf-8 in a name, lenient",
			der: rawCert(t, []byte{0x01}, name(t, oidCN, 12, "ca"), name(t, oidCN, 12, "bad\xff,name"),
				utcTime("500101000000Z"), utcTime("0001010000Z"), nil),
			want: &Certificate{Subject: `CN=bad\xff\,name`, Issuer: "CN=ca",
				NotBefore: tm("1950-01-01T00:00:00Z"), NotAfter: tm("2000-01-01T00:00:00Z"), Serial: "01",
				SANDNS: []string{}, Lenient: true},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ParseCertificate(tt.der)
			if !ok {
				t.Fatal("ParseCertificate() = false")
			}
			if diff := cmp.Diff(got, tt.want); diff != "" {
				t.Errorf("ParseCertificate() (-got, +want):\n%s", diff)
			}
		})
	}
}

func TestParseCertificateGarbage(t *testing.T) {
	for _, der := range [][]byte{nil, {0x30}, {0x30, 0x03, 0x30, 0x01, 0x02}, {0x04, 0x00}} {
		if c, ok := ParseCertificate(der); ok {
			t.Errorf("ParseCertificate(%x) = %+v, want failure", der, c)
		}
	}
}
