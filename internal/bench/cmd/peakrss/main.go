// Command peakrss runs the program named by BENCH_PROVIDER_BINARY with the
// arguments, standard streams and environment it was given. When the
// program exits, peakrss writes a line to a new file in BENCH_PEAK_RSS_DIR
// with the program's peak resident set size in KiB (ru_maxrss of wait4,
// which Linux reports in KiB and which equals the VmHWM of /proc) and its
// user and system CPU time in microseconds. make bench installs it under
// the provider's binary name in a dev_overrides folder, because Terraform
// starts the provider itself.
package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
)

func main() {
	target := os.Getenv("BENCH_PROVIDER_BINARY")
	dir := os.Getenv("BENCH_PEAK_RSS_DIR")
	if target == "" || dir == "" {
		fmt.Fprintln(os.Stderr, "peakrss: BENCH_PROVIDER_BINARY and BENCH_PEAK_RSS_DIR must be set")
		os.Exit(1)
	}

	cmd := exec.Command(target, os.Args[1:]...) //nolint:gosec // runs the binary the benchmark names
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(os.Stderr, "peakrss: starting %s: %v\n", target, err)
		os.Exit(1)
	}
	signals := make(chan os.Signal, 4)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		for sig := range signals {
			_ = cmd.Process.Signal(sig)
		}
	}()

	err := cmd.Wait()
	code := 0
	var exitErr *exec.ExitError
	switch {
	case errors.As(err, &exitErr):
		code = exitErr.ExitCode()
	case err != nil:
		fmt.Fprintf(os.Stderr, "peakrss: waiting for %s: %v\n", target, err)
		code = 1
	}
	if usage, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		name := filepath.Join(dir, strconv.Itoa(cmd.ProcessState.Pid())+".rusage")
		cpu := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
		line := fmt.Sprintf("%d %d\n", usage.Maxrss, cpu.Microseconds())
		//nolint:gosec // the folder comes from the benchmark that started Terraform
		if err := os.WriteFile(name, []byte(line), 0o600); err != nil {
			fmt.Fprintf(os.Stderr, "peakrss: %v\n", err)
		}
	}
	os.Exit(code)
}
