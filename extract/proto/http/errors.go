package http

// Problem names something in an HTTP stream the parser had to work around.
// Its String method gives the stable counter name for the extraction
// statistics; it implements error for callers that want to wrap one.
type Problem uint8

// Problems counted by a [Conn].
const (
	// ErrNotHTTP means a direction did not start like HTTP; the connection
	// is dropped.
	ErrNotHTTP Problem = iota + 1
	// ErrHeaderTooLarge means a header block exceeded MaxHeaderBytes; the
	// connection is dropped.
	ErrHeaderTooLarge
	// ErrBadRequestLine means a later request line could not be parsed; the
	// direction resynchronises.
	ErrBadRequestLine
	// ErrBadStatusLine means a later status line could not be parsed; the
	// direction resynchronises.
	ErrBadStatusLine
	// ErrBadHeaderLine means a header line had no colon or an invalid name
	// and was skipped.
	ErrBadHeaderLine
	// ErrBadContentLength means Content-Length was not a number or two of
	// them disagreed.
	ErrBadContentLength
	// ErrBadTransferEncoding means a request used a transfer coding other
	// than chunked; its body is not skipped.
	ErrBadTransferEncoding
	// ErrBadChunk means a chunk-size line was invalid; the direction
	// resynchronises.
	ErrBadChunk
	// ErrBodyGap means bytes of a body were missing; they are counted into
	// the body length.
	ErrBodyGap
	// ErrHeaderGap means bytes were missing outside a body; the message in
	// progress is abandoned and the direction resynchronises.
	ErrHeaderGap
	// ErrResyncFailed means no message start was found within the resync
	// budget; the direction is abandoned.
	ErrResyncFailed
	// ErrExcessivePipelining means more than MaxPending requests waited for
	// responses; the oldest were emitted unanswered.
	ErrExcessivePipelining
	// ErrResponseWithoutRequest means a response arrived with no request
	// pending.
	ErrResponseWithoutRequest
	// ErrTunnel means a CONNECT or protocol upgrade succeeded; the rest of
	// the connection is not HTTP and is not parsed. It is counted, not a
	// fault.
	ErrTunnel
	numProblems
)

var problemNames = [numProblems]string{
	"",
	"http_not_http",
	"http_header_too_large",
	"http_bad_request_line",
	"http_bad_status_line",
	"http_bad_header_line",
	"http_bad_content_length",
	"http_bad_transfer_encoding",
	"http_bad_chunk",
	"http_body_gap",
	"http_header_gap",
	"http_resync_failed",
	"http_excessive_pipelining",
	"http_response_without_request",
	"http_tunnel",
}

// String returns the stable counter name of p.
func (p Problem) String() string {
	if p > 0 && p < numProblems {
		return problemNames[p]
	}
	return "http_unknown_problem"
}

// Error implements error.
func (p Problem) Error() string { return "http: " + p.String() }

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
