// The feed as the pages keep it: messages and announcements in seq order, each keyed by the seq
// of the event that posted it, with its thread (docs/protocol.md, `welcome.snapshot.feed`). Items
// come from the welcome, from live events and from `history` pages, in any order; each lands in
// its place once.

/** A feed item of a welcome or a `history` page as the view keeps it: keyed by its seq. */
export function feedItemOf(model, item) {
  const team = item.team ?? (["control", "prompt"].includes(item.channel) && !model.me.staff ? model.me.team : undefined);
  return { at: null, ...item, key: `seq-${item.seq}`, team };
}

/** Put a feed item in its place (the feed is in seq order); false when it was there already. */
export function addFeedItem(model, item) {
  const feed = model.feed;
  const last = feed.length ? feed[feed.length - 1].seq : -Infinity;
  if (item.seq > last) {
    feed.push(item);
    return true;
  }
  let low = 0;
  let high = feed.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (feed[middle].seq < item.seq) low = middle + 1;
    else high = middle;
  }
  if (feed[low]?.seq === item.seq) return false;
  feed.splice(low, 0, item);
  return true;
}
