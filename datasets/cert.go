package datasets

import (
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"fmt"
	"math/big"
	"math/rand/v2"
	"sync"
	"time"
)

// Certificates are generated, not embedded: RSA PKCS #1 v1.5 signatures are
// deterministic, so a fixed key gives byte-identical certificates. The keys
// come from a seeded prime search because crypto/rand.Prime and
// rsa.GenerateKey ignore caller-supplied randomness since Go 1.26.
var (
	keysOnce          sync.Once
	caKey, leafKey    *rsa.PrivateKey
	interDER, rootDER []byte
	keysErr           error
	leafMu            sync.Mutex
	leafCache         = map[string][]byte{}
)

func deterministicKey(seed byte) *rsa.PrivateKey {
	r := rand.NewChaCha8([32]byte{'f', 'l', 'o', 'w', 's', 'i', 'f', 't', '-', 'k', 'e', 'y', seed})
	prime := func() *big.Int {
		b := make([]byte, 128)
		_, _ = r.Read(b)
		b[0] |= 0xc0
		b[127] |= 1
		p := new(big.Int).SetBytes(b)
		for two := big.NewInt(2); !p.ProbablyPrime(20); {
			p.Add(p, two)
		}
		return p
	}
	e := big.NewInt(65537)
	one := big.NewInt(1)
	for {
		p, q := prime(), prime()
		if p.Cmp(q) == 0 {
			continue
		}
		phi := new(big.Int).Mul(new(big.Int).Sub(p, one), new(big.Int).Sub(q, one))
		d := new(big.Int).ModInverse(e, phi)
		if d == nil {
			continue
		}
		k := &rsa.PrivateKey{PublicKey: rsa.PublicKey{N: new(big.Int).Mul(p, q), E: 65537}, D: d,
			Primes: []*big.Int{p, q}}
		k.Precompute()
		if k.Validate() == nil {
			return k
		}
	}
}

// certRand feeds x509.CreateCertificate; RSA PKCS #1 v1.5 does not consume
// it, but a deterministic source keeps that an implementation detail.
type certRand struct{ r *rand.ChaCha8 }

func (c certRand) Read(p []byte) (int, error) { return c.r.Read(p) }

func newCertRand() certRand { return certRand{rand.NewChaCha8([32]byte{'c', 'e', 'r', 't'})} }

// loadKeys makes the keys and CA certificates once per process.
func loadKeys() error {
	keysOnce.Do(func() { keysErr = initKeys() })
	return keysErr
}

func initKeys() error {
	caKey = deterministicKey(1)
	leafKey = deterministicKey(2)
	root := &x509.Certificate{
		SerialNumber:          big.NewInt(0x5eed0001),
		Subject:               pkix.Name{CommonName: "Example Trust Root CA X1", Organization: []string{"Example Trust Services"}, Country: []string{"US"}},
		NotBefore:             time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:              time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	var err error
	rootDER, err = x509.CreateCertificate(newCertRand(), root, root, &caKey.PublicKey, caKey)
	if err != nil {
		return fmt.Errorf("create root certificate: %w", err)
	}
	inter := &x509.Certificate{
		SerialNumber:          big.NewInt(0x5eed0002),
		Subject:               pkix.Name{CommonName: "Example TLS RSA CA 2026", Organization: []string{"Example Trust Services"}, Country: []string{"US"}},
		NotBefore:             time.Date(2024, 3, 13, 0, 0, 0, 0, time.UTC),
		NotAfter:              time.Date(2029, 3, 12, 23, 59, 59, 0, time.UTC),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	rootCert, err := x509.ParseCertificate(rootDER)
	if err != nil {
		return fmt.Errorf("parse root certificate: %w", err)
	}
	interDER, err = x509.CreateCertificate(newCertRand(), inter, rootCert, &caKey.PublicKey, caKey)
	if err != nil {
		return fmt.Errorf("create intermediate certificate: %w", err)
	}
	return nil
}

// certChain returns the DER chain a TLS 1.2 server sends for name: a leaf
// valid around start and the intermediate, or one self-signed certificate.
// loadKeys must have succeeded.
func certChain(name string, start time.Time, selfSigned bool) [][]byte {
	h := sha256.Sum256([]byte(name))
	day := start.UTC().Truncate(24 * time.Hour)
	nb := day.AddDate(0, 0, -(10 + int(binary.BigEndian.Uint16(h[:])%60)))
	key := name + "|" + nb.Format(time.DateOnly)
	if selfSigned {
		key += "|self"
	}
	leafMu.Lock()
	defer leafMu.Unlock()
	if der, ok := leafCache[key]; ok {
		return chainOf(der, selfSigned)
	}
	serial := sha256.Sum256([]byte(key))
	leaf := &x509.Certificate{
		SerialNumber:          new(big.Int).SetBytes(serial[:16]),
		Subject:               pkix.Name{CommonName: name},
		DNSNames:              []string{name},
		NotBefore:             nb,
		NotAfter:              nb.AddDate(0, 0, 90),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
	}
	var der []byte
	var err error
	if selfSigned {
		leaf.NotAfter = nb.AddDate(10, 0, 0)
		der, err = x509.CreateCertificate(newCertRand(), leaf, leaf, &leafKey.PublicKey, leafKey)
	} else {
		leaf.OCSPServer = []string{"http://ocsp.digicert.com"}
		inter, _ := x509.ParseCertificate(interDER)
		der, err = x509.CreateCertificate(newCertRand(), leaf, inter, &leafKey.PublicKey, caKey)
	}
	if err != nil {
		// Only a malformed name can fail, and names come from this package.
		return nil
	}
	leafCache[key] = der
	return chainOf(der, selfSigned)
}

func chainOf(leaf []byte, self bool) [][]byte {
	if self {
		return [][]byte{leaf}
	}
	return [][]byte{leaf, interDER}
}
