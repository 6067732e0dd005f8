// Package testcorpus finds the corpus of real ConnectedApp metadata files
// that tests use as inputs. The files are not part of the repository: the
// corpus lives in SALESFORCE_CORPUS_DIR, by default ../shared/corpus from the
// repository root.
package testcorpus

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"testing"
)

// File is one corpus file.
type File struct {
	// Name is the app name tests give it: Corpus_NN after its file number.
	Name string
	Path string
	Data []byte
}

var numbered = regexp.MustCompile(`^(\d+)-.*\.connectedApp-meta\.xml$`)

// Files returns every corpus file, sorted by number. When the corpus is
// missing it skips the test, or fails it when SALESFORCE_CORPUS_REQUIRED=1.
func Files(t testing.TB) []File {
	t.Helper()
	dir := Dir(t)
	entries, err := os.ReadDir(dir)
	if err != nil {
		missing(t, dir, err)
		return nil
	}
	var files []File
	for _, e := range entries {
		m := numbered.FindStringSubmatch(e.Name())
		if m == nil {
			continue
		}
		path := filepath.Join(dir, e.Name())
		data, err := os.ReadFile(path) //nolint:gosec // a file of the corpus directory the tests were pointed at
		if err != nil {
			t.Fatalf("reading corpus file: %v", err)
		}
		files = append(files, File{Name: "Corpus_" + m[1], Path: path, Data: data})
	}
	if len(files) == 0 {
		missing(t, dir, nil)
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Name < files[j].Name })
	return files
}

// Dir returns the corpus directory: SALESFORCE_CORPUS_DIR, or
// ../shared/corpus from the repository root.
func Dir(t testing.TB) string {
	t.Helper()
	if dir := os.Getenv("SALESFORCE_CORPUS_DIR"); dir != "" {
		return dir
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "..", "shared", "corpus")
		}
		if filepath.Dir(dir) == dir {
			return filepath.Join(wd, "..", "shared", "corpus")
		}
	}
}

func missing(t testing.TB, dir string, err error) {
	t.Helper()
	if os.Getenv("SALESFORCE_CORPUS_REQUIRED") == "1" {
		t.Fatalf("corpus not found in %s (%v); SALESFORCE_CORPUS_REQUIRED=1 makes this an error", dir, err)
	}
	t.Skipf("corpus not found in %s; set SALESFORCE_CORPUS_DIR to run the corpus tests", dir)
}
