// RoomIndex: which members (connections) are in which rooms, indexed both ways — room name →
// members and member → rooms — plus the target resolver a broadcast uses ("everyone in any of
// these rooms, except those in any of those rooms", each exactly once).
//
// Costs: join/leave/contains/member_count are O(1) on average (leave also scans the member's
// own room list); leave_all(member) is proportional to that member's own rooms, never to the
// number of rooms, so a disconnect does not scan the shard. Rooms are created on first join
// and erased when their last member leaves. Lookups take std::string_view and never build a
// std::string (transparent hash and equality); only creating a room allocates its name.
//
// Threading: NOT thread-safe, by design. Each shard owns one instance, touched only by that
// shard's thread. Callbacks given to for_each_member/for_each_target must not mutate the
// index (join/leave/leave_all) — the sets being walked would be invalidated. Deliveries that
// decide to close a connection defer the close (and its leave_all) until the walk is over.
// members_of() returns a pointer that is valid until the next mutation.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

namespace sg::rooms {

// Hashes std::string, std::string_view and string literals alike, so that the maps can be
// searched with a std::string_view without allocating (C++20 heterogeneous lookup).
struct RoomNameHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view name) const noexcept { return std::hash<std::string_view>{}(name); }
};

// Member: a small, copyable, hashable, equality-comparable handle (e.g. Socket*).
template <class Member, class MemberHash = std::hash<Member>>
class RoomIndex {
 public:
  using MemberSet = std::unordered_set<Member, MemberHash>;

  // Adds `member` to `room`, creating the room if needed. Returns true if newly added, false
  // if it was already there (nothing changes).
  bool join(Member member, std::string_view room) {
    auto room_it = members_by_room_.find(room);
    if (room_it != members_by_room_.end() && room_it->second.contains(member)) return false;

    std::vector<RoomEntry*>& member_rooms = rooms_by_member_[member];
    try {
      member_rooms.reserve(member_rooms.size() + 1);  // the push_back below cannot throw
      if (room_it == members_by_room_.end()) room_it = members_by_room_.try_emplace(std::string(room)).first;
      room_it->second.insert(member);
    } catch (...) {
      if (room_it != members_by_room_.end() && room_it->second.empty()) members_by_room_.erase(room_it);
      if (member_rooms.empty()) rooms_by_member_.erase(member);
      throw;
    }
    member_rooms.push_back(&*room_it);
    return true;
  }

  // Removes `member` from `room`; erases the room if it becomes empty. Returns false if the
  // member was not in that room (unknown member or unknown room included).
  bool leave(Member member, std::string_view room) {
    const auto room_it = members_by_room_.find(room);
    if (room_it == members_by_room_.end() || room_it->second.erase(member) == 0) return false;

    const auto member_it = rooms_by_member_.find(member);
    if (member_it != rooms_by_member_.end()) {
      std::vector<RoomEntry*>& member_rooms = member_it->second;
      const auto position = std::find(member_rooms.begin(), member_rooms.end(), &*room_it);
      if (position != member_rooms.end()) {
        *position = member_rooms.back();
        member_rooms.pop_back();
      }
      if (member_rooms.empty()) rooms_by_member_.erase(member_it);
    }
    if (room_it->second.empty()) members_by_room_.erase(room_it);
    return true;
  }

  // Removes `member` from every room it is in (a disconnect), erasing rooms left empty. Visits
  // only that member's rooms. `on_room_emptied(name)` runs for each room this empties, just
  // before it is erased.
  template <class F>
  void leave_all(Member member, F&& on_room_emptied) {
    const auto member_it = rooms_by_member_.find(member);
    if (member_it == rooms_by_member_.end()) return;
    for (RoomEntry* entry : member_it->second) {
      entry->second.erase(member);
      if (entry->second.empty()) {
        on_room_emptied(std::string_view(entry->first));
        members_by_room_.erase(members_by_room_.find(entry->first));
      }
    }
    rooms_by_member_.erase(member_it);
  }
  void leave_all(Member member) {
    leave_all(member, [](std::string_view) {});
  }

  // Calls visit(member) for each member of `room` (none if the room does not exist).
  template <class F>
  void for_each_member(std::string_view room, F&& visit) const {
    if (const MemberSet* members = members_of(room)) {
      for (const Member& member : *members) visit(member);
    }
  }

  bool contains(Member member, std::string_view room) const {
    const MemberSet* members = members_of(room);
    return members != nullptr && members->contains(member);
  }

  // The members of `room`, or nullptr if the room does not exist (an existing room is never
  // empty).
  const MemberSet* members_of(std::string_view room) const {
    const auto room_it = members_by_room_.find(room);
    return room_it == members_by_room_.end() ? nullptr : &room_it->second;
  }

  // The rooms `member` is in, in no particular order (copies: for diagnostics and the API,
  // not for the delivery path).
  std::vector<std::string> rooms_of(Member member) const {
    std::vector<std::string> names;
    const auto member_it = rooms_by_member_.find(member);
    if (member_it == rooms_by_member_.end()) return names;
    names.reserve(member_it->second.size());
    for (const RoomEntry* entry : member_it->second) names.push_back(entry->first);
    return names;
  }

  std::size_t room_count() const { return members_by_room_.size(); }

  // How many rooms `member` is in.
  std::size_t room_count_of(Member member) const {
    const auto member_it = rooms_by_member_.find(member);
    return member_it == rooms_by_member_.end() ? 0 : member_it->second.size();
  }

  std::size_t member_count(std::string_view room) const {
    const MemberSet* members = members_of(room);
    return members == nullptr ? 0 : members->size();
  }

  // Members that are in at least one room.
  std::size_t tracked_member_count() const { return rooms_by_member_.size(); }

  // Calls visit(member) exactly once for each member in ANY of `rooms` and in NONE of
  // `except_rooms`. Unknown room names are ignored; repeated names are harmless.
  //
  // One room and no exceptions (the common broadcast) walks that room's set directly. Up to
  // kInlineRooms rooms are deduplicated without allocating: a member of room i is skipped when
  // it is also in an earlier room. Beyond that, a visited set is used.
  template <class F>
  void for_each_target(std::span<const std::string> rooms, std::span<const std::string> except_rooms,
                       F&& visit) const {
    if (rooms.size() == 1 && except_rooms.empty()) {
      for_each_member(rooms.front(), visit);
      return;
    }
    const SetList targets = resolve(rooms);
    const SetList excluded = resolve(except_rooms);
    if (targets.size() <= kInlineRooms) {
      for (std::size_t i = 0; i < targets.size(); ++i) {
        for (const Member& member : *targets[i]) {
          if (targets.any_contains(member, i) || excluded.any_contains(member, excluded.size())) continue;
          visit(member);
        }
      }
      return;
    }
    std::unordered_set<Member, MemberHash> visited;
    for (std::size_t i = 0; i < targets.size(); ++i) {
      for (const Member& member : *targets[i]) {
        if (excluded.any_contains(member, excluded.size()) || !visited.insert(member).second) continue;
        visit(member);
      }
    }
  }

  // Target lists up to this many rooms are resolved without allocating.
  static constexpr std::size_t kInlineRooms = 8;

 private:
  using RoomMap = std::unordered_map<std::string, MemberSet, RoomNameHash, std::equal_to<>>;
  // Pointers to map elements stay valid across rehashing; only erasing the room invalidates
  // them, and a room is erased only once no member lists it.
  using RoomEntry = typename RoomMap::value_type;

  // The existing, distinct member sets named by a room list; inline up to kInlineRooms.
  class SetList {
   public:
    void add(const MemberSet* members) {
      if (members == nullptr) return;
      if (size_ < kInlineRooms) {
        if (std::find(inline_.begin(), inline_.begin() + size_, members) != inline_.begin() + size_) return;
        inline_[size_++] = members;
        return;
      }
      // Past the inline capacity duplicates are not filtered; the visited set copes.
      if (overflow_.empty()) overflow_.assign(inline_.begin(), inline_.end());
      overflow_.push_back(members);
      ++size_;
    }
    std::size_t size() const { return size_; }
    const MemberSet* operator[](std::size_t i) const { return size_ <= kInlineRooms ? inline_[i] : overflow_[i]; }
    // True if any of the first `count` sets holds `member`.
    bool any_contains(const Member& member, std::size_t count) const {
      for (std::size_t i = 0; i < count; ++i) {
        if ((*this)[i]->contains(member)) return true;
      }
      return false;
    }

   private:
    std::array<const MemberSet*, kInlineRooms> inline_{};
    std::vector<const MemberSet*> overflow_;
    std::size_t size_ = 0;
  };

  SetList resolve(std::span<const std::string> names) const {
    SetList sets;
    for (const std::string& name : names) sets.add(members_of(name));
    return sets;
  }

  RoomMap members_by_room_;
  std::unordered_map<Member, std::vector<RoomEntry*>, MemberHash> rooms_by_member_;
};

}  // namespace sg::rooms
