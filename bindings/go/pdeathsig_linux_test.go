package hfhub_test

import (
	"os/exec"
	"syscall"
)

// setPdeathsig makes the emulator die with the test binary, even if it is killed.
func setPdeathsig(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
