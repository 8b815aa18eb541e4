// strata_bad_inputs: every bad-input case runs alone in a child process (this program run again
// with `--case NAME`), so that a crash, an abort, a hang or a sanitizer report in one case is
// seen as such and does not take the others down. The child is a fresh exec rather than a bare
// fork: fork without exec is unsafe once OpenMP's threads exist, and the sanitizers expect a
// process that starts from main.
//
//   strata_bad_inputs              runs every case, one line each and a summary; exit 1 on a failure
//   strata_bad_inputs idx          runs the cases whose name contains "idx"
//   strata_bad_inputs --list       lists the case names
//
// A case fails when its child is killed by a signal, runs past the timeout
// ($STRATA_BAD_INPUT_TIMEOUT seconds, 120 by default), exits without reporting, ends in another
// outcome than the case expects (an untyped exception never matches), or writes a sanitizer
// report on stderr.

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <typeinfo>
#include <vector>

#include "strata/backend.hpp"
#include "strata/error.hpp"
#include "tests/bad_inputs/bad_case.hpp"

extern char** environ;

namespace strata_bad_inputs {

const char* outcome_name(Outcome outcome) {
  switch (outcome) {
    case Outcome::Succeeds: return "succeeds";
    case Outcome::Error: return "Error";
    case Outcome::ValueError: return "ValueError";
    case Outcome::ShapeError: return "ShapeError";
    case Outcome::IOError: return "IOError";
    case Outcome::StateError: return "StateError";
    case Outcome::ResourceExhaustedError: return "ResourceExhaustedError";
  }
  return "?";
}

namespace {

// A case as run: its name carries the backend when it runs once per backend.
struct Planned {
  std::string name;
  std::string backend;  // empty: the default one
  const BadCase* source;
};

std::vector<BadCase> all_cases() {
  std::vector<BadCase> cases;
  for (auto list : {hostile_file_cases, beginner_mistake_cases, absurd_size_cases, non_finite_data_cases})
    for (BadCase& c : list()) cases.push_back(std::move(c));
  return cases;
}

std::vector<Planned> plan(const std::vector<BadCase>& cases) {
  std::vector<Planned> planned;
  for (const BadCase& c : cases) {
    if (!c.per_backend) {
      planned.push_back({c.name, "", &c});
      continue;
    }
    for (const std::string& backend : strata::available_backends())
      planned.push_back({c.name + "@" + backend, backend, &c});
  }
  return planned;
}

// ---- the child: runs one case and reports what it ended in ----------------------------------

template <class E>
bool is_a(const std::exception& e) {
  return dynamic_cast<const E*>(&e) != nullptr;
}

// strata's error classes, most derived first; BackendError is never expected, only reported.
struct ErrorKind {
  const char* name;
  Outcome outcome;
  bool (*is)(const std::exception&);
};
constexpr ErrorKind kErrorKinds[] = {
    {"ResourceExhaustedError", Outcome::ResourceExhaustedError, is_a<strata::ResourceExhaustedError>},
    {"ShapeError", Outcome::ShapeError, is_a<strata::ShapeError>},
    {"ValueError", Outcome::ValueError, is_a<strata::ValueError>},
    {"IOError", Outcome::IOError, is_a<strata::IOError>},
    {"StateError", Outcome::StateError, is_a<strata::StateError>},
    {"BackendError", Outcome::Error, is_a<strata::BackendError>},
    {"Error", Outcome::Error, is_a<strata::Error>},
};

// Whether exception `e` satisfies `expect` (a subclass counts), and the name of what was thrown:
// its most derived strata class, a case's own failed check, or the C++ type of anything else.
std::pair<bool, std::string> classify(const std::exception& e, Outcome expect) {
  std::string got;
  bool matches = false;
  for (const ErrorKind& kind : kErrorKinds) {
    if (!kind.is(e)) continue;
    if (got.empty()) got = kind.name;
    matches = matches || kind.outcome == expect;
  }
  if (got.empty()) got = is_a<CheckFailed>(e) ? "check failed" : std::string("untyped ") + typeid(e).name();
  return {matches, got};
}

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

// The child's report is one line on stdout starting with "RESULT "; exit 0 when the case
// passed, 3 when it ended in the wrong outcome.
int run_child(const std::vector<Planned>& planned, const std::string& name, const std::filesystem::path& scratch) {
  for (const Planned& p : planned) {
    if (p.name != name) continue;
    const BadCase& c = *p.source;
    bool pass = false;
    std::string got;
    try {
      if (!p.backend.empty()) strata::set_backend(p.backend);
      c.run(scratch);
      pass = c.expect == Outcome::Succeeds;
      got = "succeeded";
    } catch (const std::exception& e) {
      auto [matches, type] = classify(e, c.expect);
      const std::string message = e.what();
      pass = matches && message.find(c.message_contains) != std::string::npos;
      got = type + ": " + message;
      if (matches && !pass) got += "  [message lacks \"" + c.message_contains + "\"]";
    }
    std::cout << "RESULT " << (pass ? "pass " : "fail ") << first_line(got) << std::endl;
    return pass ? 0 : 3;
  }
  std::cerr << "no case named " << name << "\n";
  return 2;
}

// ---- the parent: one child per case, with a timeout ----------------------------------------

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The line of a sanitizer report on the child's stderr (UBSan's "runtime error:", ASan's and
// LSan's "ERROR: ...Sanitizer"), empty when there is none.
std::string sanitizer_report(const std::string& err) {
  for (const char* marker : {"runtime error:", "Sanitizer"}) {
    const auto at = err.find(marker);
    if (at == std::string::npos) continue;
    const auto line_start = err.rfind('\n', at);
    return first_line(err.substr(line_start == std::string::npos ? 0 : line_start + 1));
  }
  return "";
}

struct ChildResult {
  bool passed = false;
  std::string got;
};

ChildResult run_in_child(const std::string& self, const Planned& p, std::chrono::seconds timeout) {
  char pattern[] = "/tmp/strata_bad_inputs_XXXXXX";
  const char* made = mkdtemp(pattern);
  if (made == nullptr) return {false, std::string("cannot make a scratch directory: ") + std::strerror(errno)};
  const std::filesystem::path dir(made);
  const std::filesystem::path scratch = dir / "scratch";
  std::filesystem::create_directory(scratch);
  const std::string out_path = (dir / "stdout").string(), err_path = (dir / "stderr").string();

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  const std::string scratch_text = scratch.string();
  std::vector<char*> argv = {const_cast<char*>(self.c_str()), const_cast<char*>("--case"),
                             const_cast<char*>(p.name.c_str()), const_cast<char*>(scratch_text.c_str()), nullptr};
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, self.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) {
    std::filesystem::remove_all(dir);
    return {false, std::string("cannot start the child: ") + std::strerror(spawned)};
  }

  int status = 0;
  bool timed_out = false;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      timed_out = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const std::string out = read_file(out_path), err = read_file(err_path);
  std::filesystem::remove_all(dir);

  const auto report = out.find("RESULT ");
  const std::string reported = report == std::string::npos ? "" : first_line(out.substr(report + 7));
  const std::string sanitizer = sanitizer_report(err);
  ChildResult result;
  if (timed_out) {
    result.got = "hung (killed after " + std::to_string(timeout.count()) + " s)";
  } else if (WIFSIGNALED(status)) {
    result.got = std::string("killed by signal ") + strsignal(WTERMSIG(status));
  } else if (!sanitizer.empty()) {
    result.got = "sanitizer report: " + sanitizer;
  } else if (reported.empty()) {
    result.got = "exited with status " + std::to_string(WEXITSTATUS(status)) + " without a report";
  } else {
    result.passed = WEXITSTATUS(status) == 0 && reported.rfind("pass ", 0) == 0;
    result.got = reported.substr(5);
  }
  if (!result.passed && !err.empty() && sanitizer.empty()) result.got += "  (stderr: " + first_line(err) + ")";
  return result;
}

}  // namespace
}  // namespace strata_bad_inputs

int main(int argc, char** argv) {
  using namespace strata_bad_inputs;
  const std::vector<BadCase> cases = all_cases();
  const std::vector<Planned> planned = plan(cases);
  const std::vector<std::string> args(argv + 1, argv + argc);

  if (args.size() == 3 && args[0] == "--case") return run_child(planned, args[1], args[2]);
  if (args.size() == 1 && args[0] == "--list") {
    for (const Planned& p : planned) std::cout << p.name << "\n";
    return 0;
  }
  const std::string filter = args.empty() ? "" : args[0];
  const char* timeout_env = std::getenv("STRATA_BAD_INPUT_TIMEOUT");
  const std::chrono::seconds timeout(timeout_env ? std::atoi(timeout_env) : 120);
  const std::string self = std::filesystem::read_symlink("/proc/self/exe").string();

  int run = 0, failed = 0;
  for (const Planned& p : planned) {
    if (p.name.find(filter) == std::string::npos) continue;
    const ChildResult result = run_in_child(self, p, timeout);
    ++run;
    failed += !result.passed;
    std::cout << (result.passed ? "PASS " : "FAIL ") << p.name << "  expected: " << outcome_name(p.source->expect)
              << (p.source->message_contains.empty() ? "" : " \"" + p.source->message_contains + "\"")
              << "  got: " << result.got << std::endl;
  }
  std::cout << run << " bad-input cases, " << run - failed << " passed, " << failed << " failed" << std::endl;
  return failed == 0 && run > 0 ? 0 : 1;
}
