package bench

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Options locate the programs a run starts and set the org's latency.
type Options struct {
	Terraform string // the Terraform or OpenTofu CLI
	Provider  string // the provider binary
	PeakRSS   string // the peakrss wrapper, started by Terraform as the provider
	Orgsim    string // the orgsim command
	Latency   time.Duration
	WorkDir   string      // a folder for the orgs, workspaces and logs
	Progress  *log.Logger // receives one line per step when not nil
}

// Step is the measurement of one Terraform command.
type Step struct {
	Name    string
	Calls   map[string]int // orgsim operation name to count
	Wall    time.Duration
	PeakKiB int64 // the largest peak resident set of the provider processes the command started
}

// TotalCalls returns the sum of s.Calls.
func (s Step) TotalCalls() int {
	total := 0
	for _, n := range s.Calls {
		total += n
	}
	return total
}

// Result is one configuration size measured with batch_reads on or off.
type Result struct {
	Apps       int
	BatchReads bool
	Steps      []Step
}

// Step names, in the order Run measures them.
const (
	StepApply      = "apply"
	StepPlan       = "plan, no changes"
	StepPlanChange = "plan, 1 change"
)

// stepTimeout bounds one Terraform command.
const stepTimeout = 12 * time.Minute

// Run starts an org of the given number of apps and adopts them with their
// policies and assignments in one apply. It then plans with no changes and
// with one changed policy, and measures each command.
func Run(ctx context.Context, opts Options, apps int, batchReads bool) (*Result, error) {
	mode := "off"
	if batchReads {
		mode = "on"
	}
	dir := filepath.Join(opts.WorkDir, fmt.Sprintf("n%d-batch-%s", apps, mode))
	for _, sub := range []string{"org", "ws", "bin", "rss"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o750); err != nil {
			return nil, err
		}
	}
	if err := WriteOrg(filepath.Join(dir, "org"), apps); err != nil {
		return nil, fmt.Errorf("writing the org: %w", err)
	}
	org, err := StartOrg(ctx, opts.Orgsim, filepath.Join(dir, "org"), opts.Latency, filepath.Join(dir, "orgsim.log"))
	if err != nil {
		return nil, err
	}
	defer org.Stop()

	env, err := terraformEnv(opts, dir, org, batchReads)
	if err != nil {
		return nil, err
	}
	res := &Result{Apps: apps, BatchReads: batchReads}
	steps := []struct {
		name     string
		changed  bool
		args     []string
		wantCode int
	}{
		{StepApply, false, []string{"apply", "-auto-approve", "-input=false", "-no-color"}, 0},
		{StepPlan, false, []string{"plan", "-input=false", "-no-color", "-detailed-exitcode"}, 0},
		{StepPlanChange, true, []string{"plan", "-input=false", "-no-color", "-detailed-exitcode"}, 2},
	}
	for i, s := range steps {
		if err := WriteConfig(filepath.Join(dir, "ws", "main.tf"), apps, s.changed); err != nil {
			return nil, err
		}
		logPath := filepath.Join(dir, fmt.Sprintf("step%d.log", i+1))
		step, err := measure(ctx, opts, org, env, dir, s.name, s.args, s.wantCode, logPath)
		if err != nil {
			return nil, fmt.Errorf("step %q with %d apps and batch_reads %s: %w", s.name, apps, mode, err)
		}
		res.Steps = append(res.Steps, step)
		if opts.Progress != nil {
			opts.Progress.Printf("bench: N=%d batch_reads=%s %-16s %5d calls %8.1fs %6.1f MiB",
				apps, mode, s.name, step.TotalCalls(), step.Wall.Seconds(), float64(step.PeakKiB)/1024)
		}
	}
	return res, nil
}

// terraformEnv writes the dev_overrides CLI configuration and returns the
// environment of the Terraform commands.
func terraformEnv(opts Options, dir string, org *Org, batchReads bool) ([]string, error) {
	wrapper := filepath.Join(dir, "bin", "terraform-provider-salesforce")
	if err := copyFile(opts.PeakRSS, wrapper); err != nil {
		return nil, fmt.Errorf("installing the peakrss wrapper: %w", err)
	}
	rc := filepath.Join(dir, "dev.tfrc")
	config := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    %q = %q\n  }\n  direct {}\n}\n",
		"connectedapps/salesforce", filepath.Join(dir, "bin"))
	if err := os.WriteFile(rc, []byte(config), 0o600); err != nil {
		return nil, err
	}
	env := []string{
		"TF_CLI_CONFIG_FILE=" + rc,
		"TF_IN_AUTOMATION=1",
		"CHECKPOINT_DISABLE=1",
		"SALESFORCE_LOGIN_URL=" + org.URL,
		"SALESFORCE_CLIENT_ID=" + org.ClientID,
		"SALESFORCE_CLIENT_SECRET=" + org.ClientSecret,
		"SALESFORCE_BATCH_READS=" + strconv.FormatBool(batchReads),
		"BENCH_PROVIDER_BINARY=" + opts.Provider,
		"BENCH_PEAK_RSS_DIR=" + filepath.Join(dir, "rss"),
	}
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "SALESFORCE_") || strings.HasPrefix(name, "TF_") || strings.HasPrefix(name, "BENCH_") {
			continue
		}
		env = append(env, kv)
	}
	return env, nil
}

func measure(ctx context.Context, opts Options, org *Org, env []string, dir, name string, args []string,
	wantCode int, logPath string) (Step, error) {
	rssDir := filepath.Join(dir, "rss")
	if err := clearDir(rssDir); err != nil {
		return Step{}, err
	}
	before, err := org.Calls(ctx)
	if err != nil {
		return Step{}, err
	}

	start := time.Now()
	code, err := runTerraform(ctx, opts.Terraform, filepath.Join(dir, "ws"), env, args, logPath)
	wall := time.Since(start)
	if err != nil {
		return Step{}, err
	}
	if code != wantCode {
		return Step{}, fmt.Errorf("terraform %s exited with %d, expected %d; the end of %s:\n%s",
			args[0], code, wantCode, logPath, tail(logPath, 40))
	}

	after, err := org.Calls(ctx)
	if err != nil {
		return Step{}, err
	}
	calls := map[string]int{}
	for op, n := range after {
		if d := n - before[op]; d > 0 {
			calls[op] = d
		}
	}
	peak, err := maxPeakKiB(rssDir)
	if err != nil {
		return Step{}, err
	}
	return Step{Name: name, Calls: calls, Wall: wall, PeakKiB: peak}, nil
}

// runTerraform runs the CLI in its own process group, so that a timeout
// also stops the provider processes it started, and returns its exit code.
func runTerraform(parent context.Context, cli, dir string, env, args []string, logPath string) (int, error) {
	ctx, cancel := context.WithTimeout(parent, stepTimeout)
	defer cancel()
	logFile, err := os.Create(logPath) //nolint:gosec // a log under the benchmark's work folder
	if err != nil {
		return 0, err
	}
	defer func() { _ = logFile.Close() }()

	cmd := exec.CommandContext(ctx, cli, args...) //nolint:gosec // the CLI the benchmark was given
	cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = dir, env, logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	err = cmd.Run()
	var exitErr *exec.ExitError
	switch {
	case parent.Err() != nil:
		return 0, fmt.Errorf("terraform %s was stopped: %w", args[0], parent.Err())
	case ctx.Err() != nil:
		return 0, fmt.Errorf("terraform %s did not finish within %s", args[0], stepTimeout)
	case errors.As(err, &exitErr):
		return exitErr.ExitCode(), nil
	case err != nil:
		return 0, err
	}
	return 0, nil
}

// Org is an orgsim process.
type Org struct {
	URL          string
	ClientID     string
	ClientSecret string
	cmd          *exec.Cmd
	log          *os.File
}

// StartOrg starts orgsim on a free loopback port with the source folder
// loadDir, an OAuth client for the client credentials flow and latency
// added to every call. Its standard error goes to logPath.
func StartOrg(ctx context.Context, orgsim, loadDir string, latency time.Duration, logPath string) (*Org, error) {
	secret := make([]byte, 16)
	if _, err := rand.Read(secret); err != nil {
		return nil, err
	}
	logFile, err := os.Create(logPath) //nolint:gosec // a log under the benchmark's work folder
	if err != nil {
		return nil, err
	}
	org := &Org{ClientID: "3MVG9BENCHCLIENT", ClientSecret: hex.EncodeToString(secret), log: logFile}
	cmd := exec.Command(orgsim, "-listen", "127.0.0.1:0", "-load", loadDir, //nolint:gosec // the benchmark's orgsim
		"-client-id", org.ClientID, "-client-secret", org.ClientSecret,
		"-run-as-username", "bench@orgsim.example.com",
		"-latency", latency.String(), "-daily-limit", "10000000")
	cmd.Stderr = logFile
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		_ = logFile.Close()
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		_ = logFile.Close()
		return nil, fmt.Errorf("starting orgsim: %w", err)
	}
	org.cmd = cmd

	lines := make(chan string, 1)
	go func() {
		scanner := bufio.NewScanner(stdout)
		if scanner.Scan() {
			lines <- scanner.Text()
		}
		close(lines)
		_, _ = io.Copy(io.Discard, stdout)
	}()
	select {
	case url, ok := <-lines:
		if !ok || !strings.HasPrefix(url, "http://127.0.0.1:") {
			org.Stop()
			return nil, fmt.Errorf("orgsim did not print its URL; see %s", logPath)
		}
		org.URL = url
	case <-time.After(30 * time.Second):
		org.Stop()
		return nil, fmt.Errorf("orgsim did not start within 30s; see %s", logPath)
	case <-ctx.Done():
		org.Stop()
		return nil, ctx.Err()
	}
	return org, nil
}

// Stop ends the orgsim process with SIGTERM and waits for it.
func (o *Org) Stop() {
	defer func() { _ = o.log.Close() }()
	if o.cmd == nil || o.cmd.Process == nil {
		return
	}
	_ = o.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		_ = o.cmd.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = o.cmd.Process.Kill()
		<-done
	}
	o.cmd = nil
}

// Calls returns orgsim's call counts from GET /_orgsim/calls.
func (o *Org) Calls(ctx context.Context) (map[string]int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, o.URL+"/_orgsim/calls", nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("reading orgsim's call counts: %w", err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("reading orgsim's call counts: HTTP %d", resp.StatusCode)
	}
	calls := map[string]int{}
	if err := json.NewDecoder(resp.Body).Decode(&calls); err != nil {
		return nil, fmt.Errorf("decoding orgsim's call counts: %w", err)
	}
	return calls, nil
}

func maxPeakKiB(dir string) (int64, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0, err
	}
	var peak int64
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name())) //nolint:gosec // files peakrss wrote
		if err != nil {
			return 0, err
		}
		kib, err := strconv.ParseInt(strings.TrimSpace(string(data)), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("peak memory file %s: %w", e.Name(), err)
		}
		peak = max(peak, kib)
	}
	return peak, nil
}

func clearDir(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
			return err
		}
	}
	return nil
}

func copyFile(from, to string) error {
	data, err := os.ReadFile(from) //nolint:gosec // the wrapper binary the benchmark built
	if err != nil {
		return err
	}
	return os.WriteFile(to, data, 0o700) //nolint:gosec // the copy must be executable
}

// tail returns the last lines of the file at path.
func tail(path string, lines int) string {
	data, err := os.ReadFile(path) //nolint:gosec // a log under the benchmark's work folder
	if err != nil {
		return err.Error()
	}
	all := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(all) > lines {
		all = all[len(all)-lines:]
	}
	return strings.Join(all, "\n")
}
