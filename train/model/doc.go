// Package model holds flowsift's model file format and inference: a Random
// Forest classifier, an optional Isolation Forest anomaly detector, and the
// metadata that makes a model reproducible and judgeable (feature schema,
// classes, hyperparameters, seed, training-data provenance, held-out
// evaluation). It contains no training code, so the detect and render stages
// can import it without linking the trainer (package flowsift/train).
//
// # Input
//
// A model file ([LoadFile], [Load]) and feature rows, either one row as
// []float32 in schema order or a batch as column-major [][]float32 indexed
// [feature][row], the layout Parquet columns arrive in. NaN is a missing
// value. Callers check their features against the model first:
//
//	m, err := model.LoadFile(path)
//	if err != nil { ... }
//	if err := m.CheckSchema(features.Schema()); err != nil { ... } // wraps ErrSchemaMismatch
//	proba := [][]float64{make([]float64, n), make([]float64, n)}
//	err = m.PredictBatch(cols, proba) // proba[class][row]
//
// # Output
//
// [Model.PredictProba] and [Model.PredictBatch] give class probabilities,
// the mean over trees of the leaf class frequencies (as scikit-learn's
// predict_proba does); [Model.Classify] applies the stored decision
// threshold. [Model.AnomalyScore] gives the isolation forest score
// s = 2^(-E[h(x)]/c(ψ)) in (0, 1], compared with [IsolationForest.Threshold]
// (a quantile of the baseline's scores), and [Model.Explain] names the
// features that isolated a row. [Evaluation] is the JSON document the report
// renderer reads ([Evaluation.WriteJSON]).
//
// # File format
//
// Magic, format version, flags, a JSON metadata block, then little-endian
// arrays of 12-byte nodes (feature uint16, flags uint16, threshold float32,
// child or leaf offset uint32), leaf value vectors (float32) and, for
// isolation trees, node sizes; a CRC-32C trailer covers everything. The
// layout is documented next to [Model.MarshalBinary]. Loading is a checksum,
// one JSON decode and a linear pass over the arrays: a 100-tree forest of
// about a million nodes loads in milliseconds (BenchmarkLoadFile).
//
// # Invariants
//
//   - The same Model always serialises to the same bytes.
//   - Save writes only models that pass [Model.Validate]; Load rejects
//     anything else with [ErrFormat], [ErrVersion] or [ErrChecksum], and a
//     loaded model never panics or loops during inference: every child index
//     is greater than its parent's and inside the node array, every feature
//     index inside the schema, every leaf offset inside the value array.
//   - Single-row and batch inference sum the trees in the same order, so
//     they agree bit for bit; neither allocates.
//   - A missing value goes to the child its node's FlagMissingLeft says,
//     the side chosen during training.
package model
