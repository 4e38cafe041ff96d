// Package sigmarules embeds the shipped Sigma rule pack, so that the
// flowsift binary evaluates it wherever it runs.
package sigmarules

import "embed"

// FS holds the pack's rule files (*.yml).
//
//go:embed *.yml
var FS embed.FS
