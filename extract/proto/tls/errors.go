package tls

// Problem names something in a TLS stream the parser had to work around.
// Its String method gives the stable counter name for the extraction
// statistics; it implements error for callers that want to wrap one.
type Problem uint8

// Problems counted by a [Conn].
const (
	// ErrNotTLS means a direction did not start with a TLS record or an
	// SSLv2 ClientHello; the direction is abandoned.
	ErrNotTLS Problem = iota + 1
	// ErrBadRecord means a record header had an unknown type, version or an
	// impossible length; the direction is abandoned.
	ErrBadRecord
	// ErrBadHandshake means a handshake message could not be decoded; it is
	// skipped.
	ErrBadHandshake
	// ErrMessageTooLarge means a handshake message exceeded MaxMessage; it
	// is skipped unread.
	ErrMessageTooLarge
	// ErrGap means bytes were missing before the direction went encrypted;
	// the direction is abandoned, keeping what was decoded.
	ErrGap
	// ErrSSLv2 counts SSLv2-compatible ClientHellos. They have no
	// extensions, so no fingerprint is computed for them.
	ErrSSLv2
	// ErrBadCertificate means neither crypto/x509 nor the lenient parser
	// could read the leaf certificate; its fingerprint is still kept.
	ErrBadCertificate
	// ErrLenientCertificate counts leaf certificates crypto/x509 rejected
	// and the lenient parser read.
	ErrLenientCertificate
	// ErrHelloRetry counts HelloRetryRequests; the fingerprints stay those
	// of the first ClientHello.
	ErrHelloRetry
	// ErrAlert counts alert records seen in the clear.
	ErrAlert
	// ErrQUICVersion means a QUIC long-header packet used a version whose
	// Initial keys are not known here (Google QUIC, early drafts).
	ErrQUICVersion
	// ErrQUICDecrypt means a client Initial failed to decrypt.
	ErrQUICDecrypt
	numProblems
)

var problemNames = [numProblems]string{
	"",
	"tls_not_tls",
	"tls_bad_record",
	"tls_bad_handshake",
	"tls_message_too_large",
	"tls_gap",
	"tls_sslv2_client_hello",
	"tls_bad_certificate",
	"tls_lenient_certificate",
	"tls_hello_retry",
	"tls_alert",
	"tls_quic_version",
	"tls_quic_decrypt",
}

// String returns the stable counter name of p.
func (p Problem) String() string {
	if p > 0 && p < numProblems {
		return problemNames[p]
	}
	return "tls_unknown_problem"
}

// Error implements error.
func (p Problem) Error() string { return "tls: " + p.String() }

// Counts holds a counter per Problem; index it with a Problem.
type Counts [numProblems]uint64

// Add counts one occurrence of p.
func (c *Counts) Add(p Problem) {
	if p < numProblems {
		c[p]++
	}
}

// Each calls fn for every problem counted at least once, in Problem order.
func (c *Counts) Each(fn func(p Problem, n uint64)) {
	for i := Problem(1); i < numProblems; i++ {
		if c[i] > 0 {
			fn(i, c[i])
		}
	}
}
