package model

import "errors"

// ErrFormat is returned when bytes are not a model file or their structure is
// inconsistent (bad magic, truncated arrays, child indices out of range,
// metadata that disagrees with the arrays).
var ErrFormat = errors.New("model: not a valid model file")

// ErrVersion is returned when a model file declares a format version this
// build cannot read.
var ErrVersion = errors.New("model: unsupported format version")

// ErrChecksum is returned when a model file's stored CRC-32C does not match
// its contents: the file was damaged after it was written.
var ErrChecksum = errors.New("model: checksum mismatch")

// ErrSchemaMismatch is returned when the features a caller supplies differ
// from the features the model was trained on. The wrapping error names the
// first difference.
var ErrSchemaMismatch = errors.New("model: feature schema mismatch")

// ErrShape is returned when an input row, column set or output buffer has a
// length that does not match the model.
var ErrShape = errors.New("model: input shape mismatch")

// ErrNoForest is returned when a classifier method is called on a model that
// holds only an anomaly detector.
var ErrNoForest = errors.New("model: model has no classifier")

// ErrNoAnomaly is returned when an anomaly method is called on a model that
// holds no isolation forest.
var ErrNoAnomaly = errors.New("model: model has no anomaly detector")

// ErrInvalid is returned by constructors and Save when a model's parts are
// inconsistent with each other (a tree referencing a feature the schema does
// not have, a class count that differs from the leaf width, ...).
var ErrInvalid = errors.New("model: invalid model")
