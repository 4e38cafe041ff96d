package extract

import "errors"

// ErrConfig is returned by Config.Validate for unusable settings.
var ErrConfig = errors.New("extract: invalid configuration")

// ErrNoPackets is returned when none of the inputs held a readable packet.
var ErrNoPackets = errors.New("extract: no packets could be read")
