import { Body, Controller, Get, NotFoundException, Param, Post } from '@nestjs/common';

/**
 * The parent application's own routes. None of the inventory's rules apply here: no
 * credentials needed, no whitelisting validation pipe, Nest's default error shape.
 */
@Controller()
export class ParentController {
  /** The parent's health check (the inventory's own is turned off). */
  @Get('health')
  health(): { status: string; app: string } {
    return { status: 'ok', app: 'parent' };
  }

  @Get('hello')
  hello(): { message: string } {
    return { message: 'Hello from the parent application' };
  }

  @Post('echo')
  echo(@Body() body: unknown): unknown {
    return body;
  }

  @Get('items/:id')
  item(@Param('id') id: string): never {
    throw new NotFoundException(`No item ${id}`);
  }
}
