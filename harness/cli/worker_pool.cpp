#include "harness/cli/worker_pool.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <deque>
#include <memory>
#include <stdexcept>

namespace scb {

namespace {

using Clock = std::chrono::steady_clock;

// One running worker process and the pipes to it.
class Worker {
 public:
  explicit Worker(const WorkerSpec& spec) : spec_(spec) { start(); }
  ~Worker() { stop(); }
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  void start() {
    // Close-on-exec: a worker started later must not hold this one's pipes open (its death would go unseen).
    int to_child[2], from_child[2];
    if (pipe2(to_child, O_CLOEXEC) != 0 || pipe2(from_child, O_CLOEXEC) != 0)
      throw std::runtime_error("pipe failed: " + std::string(std::strerror(errno)));
    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error("fork failed: " + std::string(std::strerror(errno)));
    if (pid_ == 0) {
      setpgid(0, 0);  // its own process group: a kill reaches whatever it started
      dup2(to_child[0], STDIN_FILENO);
      dup2(from_child[1], STDOUT_FILENO);
      close(to_child[0]);
      close(to_child[1]);
      close(from_child[0]);
      close(from_child[1]);
      for (const auto& assignment : spec_.env) putenv(const_cast<char*>(assignment.c_str()));
      std::vector<char*> argv;
      for (const auto& arg : spec_.argv) argv.push_back(const_cast<char*>(arg.c_str()));
      argv.push_back(nullptr);
      execvp(argv[0], argv.data());
      _exit(127);
    }
    setpgid(pid_, pid_);  // as the child does: whichever runs first
    close(to_child[0]);
    close(from_child[1]);
    input_ = to_child[1];
    output_ = from_child[0];
    buffer_.clear();
  }

  // Ends the worker and waits for it; returns how it ended. `graceful`: close its input and give it 10 s to
  // exit by itself (it has finished its cases) before killing it; otherwise (a hang, a crash) kill at once.
  std::string stop(bool graceful = false) {
    if (pid_ <= 0) return "";
    if (input_ >= 0) close(input_);
    input_ = -1;
    if (graceful)
      for (int i = 0; i < 100; ++i) {
        int status = 0;
        if (waitpid(pid_, &status, WNOHANG) == pid_) {
          pid_ = -1;
          if (output_ >= 0) close(output_);
          output_ = -1;
          return WIFSIGNALED(status) ? "signal " + std::to_string(WTERMSIG(status))
                                     : "exit " + std::to_string(WEXITSTATUS(status));
        }
        usleep(100'000);
      }
    if (output_ >= 0) close(output_);
    output_ = -1;
    kill(-pid_, SIGKILL);  // the worker's whole process group
    kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    if (WIFSIGNALED(status)) return "signal " + std::to_string(WTERMSIG(status));
    return "exit " + std::to_string(WEXITSTATUS(status));
  }

  bool send(const std::string& key) {
    const std::string line = key + "\n";
    return write(input_, line.data(), line.size()) == ssize_t(line.size());
  }
  int output_fd() const { return output_; }
  // Reads what is there; returns complete lines.
  std::vector<std::string> read_lines(bool& closed) {
    char chunk[65536];
    const ssize_t n = read(output_, chunk, sizeof chunk);
    closed = n <= 0;
    if (n > 0) buffer_.append(chunk, std::size_t(n));
    std::vector<std::string> lines;
    for (std::size_t end; (end = buffer_.find('\n')) != std::string::npos;) {
      lines.push_back(buffer_.substr(0, end));
      buffer_.erase(0, end + 1);
    }
    return lines;
  }
  const WorkerSpec& spec() const { return spec_; }

 private:
  const WorkerSpec& spec_;
  pid_t pid_ = -1;
  int input_ = -1, output_ = -1;
  std::string buffer_;
};

nlohmann::json failed_result(const std::string& key, const std::string& why) {
  return {{"case", {{"key", key}}},
          {"status", "error"},
          {"error", why},
          {"verify", {{"checked", false}, {"passed", false}}},
          {"timing", nullptr}};
}

}  // namespace

int run_worker_pool(const std::vector<WorkerSpec>& specs, const CaseGroups& groups, const PoolSettings& settings,
                    const std::function<void(const nlohmann::json&, const std::string&)>& on_result,
                    const std::function<void(const nlohmann::json&, const std::string&)>& on_environment) {
  if (specs.empty()) throw std::invalid_argument("no workers");
  signal(SIGPIPE, SIG_IGN);  // a dead worker's pipe must not kill the pool
  std::deque<std::vector<std::string>> waiting(groups.begin(), groups.end());
  struct Slot {
    std::unique_ptr<Worker> worker;
    std::deque<std::string> group;  // the rest of its current group
    std::string running;            // the case it was sent ("" when idle)
    Clock::time_point started;
  };
  std::vector<Slot> slots;
  for (const auto& spec : specs) slots.push_back({std::make_unique<Worker>(spec), {}, "", {}});
  int restarts = 0;
  const auto dispatch = [&](Slot& slot) {
    while (slot.running.empty()) {
      if (slot.group.empty()) {
        if (waiting.empty()) return;
        slot.group.assign(waiting.front().begin(), waiting.front().end());
        waiting.pop_front();
      }
      slot.running = slot.group.front();
      slot.group.pop_front();
      slot.started = Clock::now();
      if (!slot.worker->send(slot.running)) return;  // its death is seen by poll
    }
  };
  const auto restart = [&](Slot& slot, const std::string& why) {
    const std::string ended = slot.worker->stop();
    if (!slot.running.empty())
      on_result(failed_result(slot.running, "the worker on " + slot.worker->spec().name + " " + why + " (" + ended +
                                                ") while running this case; it was restarted"),
                slot.worker->spec().name);
    slot.running.clear();
    slot.worker->start();
    ++restarts;
  };
  for (auto& slot : slots) dispatch(slot);
  while (true) {
    bool busy = false;
    for (const auto& slot : slots) busy = busy || !slot.running.empty();
    if (!busy) break;
    std::vector<pollfd> fds;
    for (const auto& slot : slots) fds.push_back({slot.worker->output_fd(), POLLIN, 0});
    poll(fds.data(), fds.size(), 200);
    for (std::size_t i = 0; i < slots.size(); ++i) {
      Slot& slot = slots[i];
      if (slot.running.empty()) continue;
      if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) {
        bool closed = false;
        for (const auto& line : slot.worker->read_lines(closed)) {
          nlohmann::json result;
          try {
            result = nlohmann::json::parse(line);
          } catch (const nlohmann::json::parse_error&) {
            continue;  // not a result line
          }
          if (result.contains("environment") && !result.contains("case")) {
            if (on_environment) on_environment(result["environment"], slot.worker->spec().name);
            continue;
          }
          if (!result.contains("case") || result["case"].value("key", "") != slot.running) continue;
          on_result(result, slot.worker->spec().name);
          slot.running.clear();
        }
        if (closed && !slot.running.empty()) {
          restart(slot, "died");
        }
        dispatch(slot);
      } else if (std::chrono::duration<double>(Clock::now() - slot.started).count() > settings.case_timeout_s) {
        restart(slot, "hung (over " + std::to_string(int(settings.case_timeout_s)) + " s)");
        dispatch(slot);
      }
    }
  }
  for (auto& slot : slots) slot.worker->stop(true);
  return restarts;
}

}  // namespace scb
