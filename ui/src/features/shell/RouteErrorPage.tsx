import { useRouteError } from 'react-router';
import { ErrorScreen } from '../../components/ErrorScreen';

/** Shown by the router when a page throws while rendering or loading. */
export default function RouteErrorPage() {
  return <ErrorScreen error={useRouteError()} />;
}
