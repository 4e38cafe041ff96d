package capture

import (
	"errors"
	"fmt"
)

// ErrNotCapture is returned when a file's magic bytes match no supported
// capture or compression format.
var ErrNotCapture = errors.New("not a pcap or pcapng capture")

// ErrNoInput is returned when a source is opened without any capture file.
var ErrNoInput = errors.New("no capture files")

// ErrPermission is returned when live capture lacks the privilege to open a
// packet socket (CAP_NET_RAW).
var ErrPermission = errors.New("no permission to capture")

// ErrNoInterface is returned when live capture names an interface the
// host does not have.
var ErrNoInterface = errors.New("no such interface")

// ErrOutputExists is returned when a capture would be written over an
// existing file: captures are evidence and are never replaced.
var ErrOutputExists = errors.New("output file exists")

// FormatError reports damaged framing in a capture file: the place where the
// reader lost track of record boundaries.
type FormatError struct {
	Path   string // file as given
	Offset int64  // byte offset in the (decompressed) stream
	Kind   string // short stable name, used as a counter key ("truncated_record", ...)
	Detail string
}

func (e *FormatError) Error() string {
	if e.Detail == "" {
		return fmt.Sprintf("%s: offset %d: %s", e.Path, e.Offset, e.Kind)
	}
	return fmt.Sprintf("%s: offset %d: %s: %s", e.Path, e.Offset, e.Kind, e.Detail)
}
