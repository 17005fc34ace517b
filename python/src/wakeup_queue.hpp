// WakeupQueue: items pushed by the C++ threads for the Python loop, and the one way they
// reach it.
//
// Shard threads push; the first push into an empty queue writes to an eventfd that the
// Python side watches with loop.add_reader(), and the reader callback takes the whole batch.
// This is what loop.call_soon_threadsafe() does inside (a write to the loop's self-pipe),
// without its one cost that matters here: a shard thread never acquires the GIL, so no
// connection on a shard ever waits for Python code to yield the interpreter, and no shard
// thread touches Python during interpreter shutdown. Items hold only C++ values; they become
// Python objects on the loop thread. The core's notices and the native host's each have one.
//
// Threading: push() from any thread; take_all() and wakeup_fd() from the Python loop thread.
#pragma once

#include <mutex>
#include <vector>

namespace sg::py {

// The eventfd under a WakeupQueue.
class WakeupFd {
 public:
  WakeupFd();  // throws std::system_error when no eventfd can be made
  ~WakeupFd();
  WakeupFd(const WakeupFd&) = delete;
  WakeupFd& operator=(const WakeupFd&) = delete;

  int fd() const { return fd_; }
  void signal();  // makes the fd readable
  void reset();   // makes it unreadable again (a signal racing with this keeps it readable)

 private:
  int fd_ = -1;
};

template <class Item>
class WakeupQueue {
 public:
  // Readable whenever items are waiting.
  int wakeup_fd() const { return wakeup_.fd(); }

  void push(Item item) {
    bool wake = false;
    {
      std::lock_guard lock(mutex_);
      queue_.push_back(std::move(item));
      wake = !wakeup_pending_;
      wakeup_pending_ = true;
    }
    if (wake) wakeup_.signal();
  }

  // Everything queued so far; the fd is reset first, so a push racing with this call makes
  // the fd readable again rather than being lost.
  std::vector<Item> take_all() {
    wakeup_.reset();
    std::vector<Item> taken;
    std::lock_guard lock(mutex_);
    taken.swap(queue_);
    wakeup_pending_ = false;
    return taken;
  }

 private:
  WakeupFd wakeup_;
  std::mutex mutex_;
  std::vector<Item> queue_;
  bool wakeup_pending_ = false;
};

}  // namespace sg::py
