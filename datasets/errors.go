package datasets

import "errors"

// ErrUnknownScenario is returned when a configuration names a scenario that
// Scenarios does not list.
var ErrUnknownScenario = errors.New("unknown scenario")

// ErrInvalidConfig is returned by Config.Validate for values out of range.
var ErrInvalidConfig = errors.New("invalid generator configuration")

// ErrTruthFormat is returned by ReadTruth for a file written in another
// truth format.
var ErrTruthFormat = errors.New("unsupported truth format")
