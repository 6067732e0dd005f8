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
	"sort"
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
	// PlanRuns is how many times each plan runs. The run with the median
	// wall time is reported, because other work on the machine slows some
	// runs. Zero means once.
	PlanRuns int
}

// Step is the measurement of one Terraform command.
type Step struct {
	Name    string
	Calls   map[string]int // orgsim operation name to count
	Wall    time.Duration
	PeakKiB int64 // the largest peak resident set of the provider processes the command started
	// TerraformCPU is the CPU time of the Terraform process itself, and
	// ProviderCPU that of all provider processes it started.
	TerraformCPU time.Duration
	ProviderCPU  time.Duration
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
		runs := 1
		if s.args[0] == "plan" {
			runs = max(opts.PlanRuns, 1)
		}
		var measured []Step
		for run := 1; run <= runs; run++ {
			logPath := filepath.Join(dir, fmt.Sprintf("step%d-run%d.log", i+1, run))
			step, err := measure(ctx, opts, org, env, dir, s.name, s.args, s.wantCode, logPath)
			if err != nil {
				return nil, fmt.Errorf("step %q with %d apps and batch_reads %s: %w", s.name, apps, mode, err)
			}
			measured = append(measured, step)
			if opts.Progress != nil {
				opts.Progress.Printf("bench: N=%d batch_reads=%s %-16s %5d calls %8.1fs %6.1f MiB "+
					"(Terraform CPU %.1fs, provider CPU %.1fs)", apps, mode, s.name, step.TotalCalls(),
					step.Wall.Seconds(), float64(step.PeakKiB)/1024, step.TerraformCPU.Seconds(), step.ProviderCPU.Seconds())
			}
		}
		res.Steps = append(res.Steps, medianStep(measured))
	}
	return res, nil
}

// medianStep returns the step with the median wall time, the slower one of
// the middle two for an even count.
func medianStep(steps []Step) Step {
	sorted := append([]Step(nil), steps...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Wall < sorted[j].Wall })
	return sorted[len(sorted)/2]
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
	code, totalCPU, err := runTerraform(ctx, opts.Terraform, filepath.Join(dir, "ws"), env, args, logPath)
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
	peak, providerCPU, err := providerUsage(rssDir)
	if err != nil {
		return Step{}, err
	}
	// Terraform's rusage includes the children it waited for: the wrappers,
	// which waited for the providers.
	return Step{
		Name: name, Calls: calls, Wall: wall, PeakKiB: peak,
		TerraformCPU: max(totalCPU-providerCPU, 0), ProviderCPU: providerCPU,
	}, nil
}

// runTerraform runs the CLI in its own process group, so that a timeout
// also stops the provider processes it started. It returns the exit code
// and the CPU time of the CLI and of the processes it waited for.
func runTerraform(parent context.Context, cli, dir string, env, args []string, logPath string) (int, time.Duration, error) {
	ctx, cancel := context.WithTimeout(parent, stepTimeout)
	defer cancel()
	logFile, err := os.Create(logPath) //nolint:gosec // a log under the benchmark's work folder
	if err != nil {
		return 0, 0, err
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
		return 0, 0, fmt.Errorf("terraform %s was stopped: %w", args[0], parent.Err())
	case ctx.Err() != nil:
		return 0, 0, fmt.Errorf("terraform %s did not finish within %s", args[0], stepTimeout)
	case errors.As(err, &exitErr):
		return exitErr.ExitCode(), cpuTime(cmd.ProcessState), nil
	case err != nil:
		return 0, 0, err
	}
	return 0, cpuTime(cmd.ProcessState), nil
}

func cpuTime(state *os.ProcessState) time.Duration {
	return state.UserTime() + state.SystemTime()
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

// providerUsage returns the largest peak resident set size and the total
// CPU time in the files that peakrss wrote to dir.
func providerUsage(dir string) (peakKiB int64, cpu time.Duration, err error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0, 0, err
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name())) //nolint:gosec // files peakrss wrote
		if err != nil {
			return 0, 0, err
		}
		var kib, micros int64
		if _, err := fmt.Sscanf(string(data), "%d %d", &kib, &micros); err != nil {
			return 0, 0, fmt.Errorf("invalid peakrss file %s: %w", e.Name(), err)
		}
		peakKiB = max(peakKiB, kib)
		cpu += time.Duration(micros) * time.Microsecond
	}
	return peakKiB, cpu, nil
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
