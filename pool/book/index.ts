// The peer order book and routing (issue 7): rules in docs/book.md, defences in docs/defences.md.
export { PeerBook, type PeerBookOptions, type BookOrder, type FillReport, type PeerFill, type SeriesSpec } from "./peer-book.js";
export { BookState, applyBookEvent, type PeerSeries, type PoolOrder, type RestingOrder } from "./state.js";
export { bookEventsFromJSON, bookEventsToJSON, type BookEvent, type BookEventBody, type BookPayout, type BookSide } from "./events.js";
