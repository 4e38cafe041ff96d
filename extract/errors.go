package extract

import "errors"

// ErrConfig is returned by Config.Validate for unusable settings.
var ErrConfig = errors.New("extract: invalid configuration")

// ErrNoPackets is returned when no packet could be read because the inputs
// are damaged or unreadable (inputs that are valid and empty are not an
// error); the manifest is written, the tables are not kept.
var ErrNoPackets = errors.New("extract: no packets could be read")

// ErrCaptureChanged is returned by Carve when an original capture file no
// longer has the size or SHA-256 recorded when it was extracted.
var ErrCaptureChanged = errors.New("extract: original capture changed since extraction")
