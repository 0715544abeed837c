// Components drawn again only when a prop changed (compared one by one): the parts of the page a tick of the live list
// does not touch (a flow's detail, the filter bar, rows that stay as they were) skip its rendering.
import {Component, h} from 'preact';

/** The component {@code view}, drawn again only when one of its props is a different value. */
export function memo(view) {
  class Memo extends Component {
    shouldComponentUpdate(next) {
      for (const key in next) if (next[key] !== this.props[key]) return true;
      for (const key in this.props) if (!(key in next)) return true;
      return false;
    }
    render(props) {
      return h(view, props);
    }
  }
  Memo.displayName = 'Memo(' + (view.name || 'component') + ')';
  return Memo;
}
