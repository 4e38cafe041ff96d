// Package golearncmp measures github.com/sjwhitworth/golearn's RandomForest
// on the shared Random Forest speed anchor, next to flowsift's forest on the
// same rows. It is a separate module so that golearn and its dependencies
// never enter flowsift's go.mod or binary.
//
// # Input
//
// FLOWSIFT_RF_ANCHOR_DIR: a directory written by rf_anchor.py make N DIR.
// FLOWSIFT_GOLEARN_ROWS: how many training rows to use (default 5000;
// golearn's ID3 trees sort every candidate attribute at every node, so the
// full anchor is out of its reach). The anchor's rows are already shuffled,
// so the first rows are a random sample.
//
// # Output
//
// Benchmark metrics: fit_s, predict_s, accuracy, roc_auc, peak_heap_MiB,
// maxrss_MiB. Run with:
//
//	cd train/golearncmp && FLOWSIFT_RF_ANCHOR_DIR=/tmp/rfanchor-200k go test -run='^$' -bench=.
package golearncmp
