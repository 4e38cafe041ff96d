package table

import "errors"

// ErrNoColumn is returned when a requested column is not in the file.
var ErrNoColumn = errors.New("no such column")

// ErrUnsupported is returned for a column whose shape this package cannot
// read (nested groups, maps, lists of lists).
var ErrUnsupported = errors.New("unsupported column shape")
