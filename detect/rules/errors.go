package rules

import "errors"

// ErrConfig is returned for an unusable detections configuration.
var ErrConfig = errors.New("rules: invalid configuration")

// ErrUnknownDetection is returned when --only names a detection that does
// not exist.
var ErrUnknownDetection = errors.New("rules: unknown detection")
