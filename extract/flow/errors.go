package flow

import "errors"

// ErrConfig is returned by Config.Validate for unusable settings.
var ErrConfig = errors.New("flow: invalid configuration")
