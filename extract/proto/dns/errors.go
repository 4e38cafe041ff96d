package dns

// Problem names why a DNS message or stream could not be decoded fully. It is
// an error, so [Parse] can return it; its String method gives the stable
// counter name used in the extraction statistics.
type Problem uint8

// Problems, returned by [Parse] and counted by [Splitter] and [Pairer].
const (
	// ErrShort means the message is shorter than the 12-byte header.
	ErrShort Problem = iota + 1
	// ErrTruncated means a question or record runs past the end of the message.
	ErrTruncated
	// ErrBadPointer means a compression pointer points at or after the name
	// segment holding it (a forward reference or a loop), or a name follows
	// too many pointers.
	ErrBadPointer
	// ErrBadLabel means a label uses the reserved 0x40 or 0x80 length types.
	ErrBadLabel
	// ErrNameTooLong means a decoded name exceeds MaxNameLen.
	ErrNameTooLong
	// ErrBadRData means a record's data does not fit its type (an A record
	// that is not 4 bytes, a name running past RDLENGTH, ...). The record is
	// skipped and parsing continues.
	ErrBadRData
	// ErrTrailing means bytes follow the last record the header announced.
	// Everything was decoded; the problem is only counted.
	ErrTrailing
	// ErrStreamDesync means a TCP stream lost its framing after a gap and
	// the rest of that direction is ignored.
	ErrStreamDesync
	// ErrOpcodeIgnored means a message with an opcode Zeek does not track
	// (anything but query, notify and dynamic update) reached a Pairer.
	ErrOpcodeIgnored
	// ErrPendingOverflow means a Pairer emitted a message unmatched because
	// too many were pending.
	ErrPendingOverflow
	numProblems
)

var problemNames = [numProblems]string{
	"",
	"dns_short_header",
	"dns_truncated",
	"dns_bad_compression_pointer",
	"dns_bad_label_type",
	"dns_name_too_long",
	"dns_bad_rdata",
	"dns_trailing_bytes",
	"dns_tcp_desync",
	"dns_opcode_ignored",
	"dns_pending_overflow",
}

// String returns the stable counter name of p.
func (p Problem) String() string {
	if p < numProblems && p > 0 {
		return problemNames[p]
	}
	return "dns_unknown_problem"
}

// Error implements error.
func (p Problem) Error() string { return "dns: " + p.String() }

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
