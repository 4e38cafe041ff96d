// Package table reads columns of the Parquet tables that the extract stage
// writes (and any other flat Parquet file) into typed Go slices.
//
// # Input
//
// A Parquet file and the names of the columns wanted. Top-level primitive
// columns (optional or required) and three-level LIST columns of primitives
// are supported; a LIST column is named by its top-level name.
//
// # Output
//
// A [Table]: equally long [Column] values holding int64, float64, bool or
// string data, a null mask, and for lists the offsets of each row's elements.
// Integer columns of any width and timestamps (as nanoseconds) read as int64.
// [Batches] yields one [Table] per row group so that callers can bound
// memory by the row-group size; [Read] loads whole columns.
//
// # Why plain slices and not Arrow
//
// The detectors scan a handful of columns with tight loops; typed slices do
// that with no reference counting and no second Parquet implementation in
// the binary. The README records the measurement behind this choice.
package table
